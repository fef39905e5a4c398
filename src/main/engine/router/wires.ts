// Wiring: after every module has stepped, dst = src * gain + offset, in definition order.
import type { ResolvedWire } from '../config/types'
import type { Backplane } from '../backplane/backplane'

export class WireRouter {
  private readonly src: Int32Array
  private readonly dst: Int32Array
  private readonly gain: Float64Array
  private readonly offset: Float64Array

  constructor(wires: readonly ResolvedWire[], backplane: Backplane) {
    const slot = (name: string): number => {
      const index = backplane.slot(name)
      if (index === undefined) throw new Error(`wire refers to unknown signal ${name}`)
      return index
    }
    this.src = Int32Array.from(wires, (w) => slot(w.src))
    this.dst = Int32Array.from(wires, (w) => slot(w.dst))
    this.gain = Float64Array.from(wires, (w) => w.gain)
    this.offset = Float64Array.from(wires, (w) => w.offset)
  }

  route(values: Float64Array): void {
    const { src, dst, gain, offset } = this
    for (let i = 0; i < src.length; i++) values[dst[i]!] = values[src[i]!]! * gain[i]! + offset[i]!
  }
}
