// Seed 000's mock vehicle as a TypeScript script module: constant velocity (1.0, 0.5) m/s, position integrated with dt.
// It runs in a worker thread of its own and reads and writes its signals in the shared backplane directly.
import { defineModule, type Signal } from '../../src/shared/module/defineModule'

let x: Signal, y: Signal, vx: Signal, vy: Signal

export default defineModule({
  signals: [
    { name: 'position.x', unit: 'm' },
    { name: 'position.y', unit: 'm' },
    { name: 'velocity.x', unit: 'm/s' },
    { name: 'velocity.y', unit: 'm/s' }
  ],

  init(ctx) {
    x = ctx.signal('position.x')
    y = ctx.signal('position.y')
    vx = ctx.signal('velocity.x')
    vy = ctx.signal('velocity.y')
  },

  stage() {
    x.value = 0
    y.value = 0
    vx.value = 1.0
    vy.value = 0.5
  },

  step(t) {
    x.value += 1.0 * t.dt
    y.value += 0.5 * t.dt
  }
})
