// A uPlot plugin that shades a time plot where its signals' limits are crossed: amber beyond warn, red
// beyond alarm, behind the grid and the lines. It reads the limits in force at each draw.
import type uPlot from 'uplot'
import { limitsFor } from '../../frames/pipeline'
import { useConsole } from '../../store/store'

const WARN = 'rgba(255, 183, 77, 0.22)'
const ALARM = 'rgba(239, 83, 80, 0.16)'

export function limitBands(signals: readonly string[]): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u) => {
          const state = useConsole.getState()
          const { left, top, width, height } = u.bbox
          const ctx = u.ctx
          ctx.save()
          ctx.beginPath()
          ctx.rect(left, top, width, height)
          ctx.clip()
          signals.forEach((name, i) => {
            const limits = limitsFor(state, name)
            if (!limits) return
            const scale = u.series[i + 1]?.scale ?? 'y'
            if (!u.scales[scale] || u.scales[scale].min === undefined || u.scales[scale].min === null) return
            // Canvas y of a value; bounds that are open reach past the plot's edges.
            const y = (v: number | null, open: number): number => (v === null ? open : u.valToPos(v, scale, true))
            const band = (range: [number | null, number | null] | undefined, fill: string): void => {
              if (!range) return
              ctx.fillStyle = fill
              if (range[1] !== null) {
                const hi = Math.max(top, Math.min(top + height, y(range[1], top)))
                if (hi > top) ctx.fillRect(left, top, width, hi - top)
              }
              if (range[0] !== null) {
                const lo = Math.max(top, Math.min(top + height, y(range[0], top + height)))
                if (lo < top + height) ctx.fillRect(left, lo, width, top + height - lo)
              }
            }
            band(limits.warn, WARN)
            band(limits.alarm, ALARM)
          })
          ctx.restore()
        }
      ]
    }
  }
}
