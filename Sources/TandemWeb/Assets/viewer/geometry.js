// Patient-space geometry of the Image Plane module (PS3.3 C.7.6.2.1.1): slice normals, the
// position of a slice along a normal, the slice of another stack nearest to a point, and
// lengths in mm from Pixel Spacing.

export function normalOf(orientation) {
  if (!orientation) return null;
  const [rx, ry, rz, cx, cy, cz] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

function dot(a, b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// The index in images (a stack) whose slice lies nearest, along its own normal, to point; -1
// when the stack has no plane geometry.
export function nearestSlice(images, point) {
  let best = -1, distance = Infinity;
  for (let i = 0; i < images.length; i++) {
    const normal = normalOf(images[i].orientation);
    const position = images[i].position;
    if (!normal || !position) continue;
    const d = Math.abs(dot(normal, position) - dot(normal, point));
    if (d < distance) {
      distance = d;
      best = i;
    }
  }
  return best;
}

// A measured line between two image points (column, row): its length in mm along the pixel
// grid (Pixel Spacing is row spacing, then column spacing), or in pixels without spacing.
export function lineLength(image, from, to) {
  const dx = to[0] - from[0], dy = to[1] - from[1];
  if (!image.pixelSpacing) return { value: Math.hypot(dx, dy), unit: "px" };
  const [rowSpacing, columnSpacing] = image.pixelSpacing;
  return { value: Math.hypot(dx * columnSpacing, dy * rowSpacing), unit: "mm" };
}
