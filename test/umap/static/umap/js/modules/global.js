import { LineString, Point, Polygon } from './data/features.js'
import { LeafletMarker } from './rendering/ui.js'

// Import modules and export them to the global scope.
// For the not yet module-compatible JS out there.

// By alphabetic order
window.U = {
  LeafletMarker,
  LineString,
  Point,
  Polygon,
}
