// Series colours: distinct on the dark background, in a stable order.

const PALETTE = ['#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#fff176', '#4db6ac', '#e57373', '#90a4ae', '#aed581']

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!
}
