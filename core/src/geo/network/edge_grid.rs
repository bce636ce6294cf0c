//! The snapping index: a packed uniform grid over the network's edges.
//!
//! Snapping asks for the edge nearest a point. The edges (segments in the
//! network's local projection, metres) are registered in every square cell
//! of a uniform grid they pass through, in two flat arrays (a CSR layout:
//! per cell a start offset into one array of edge indices). A query scans
//! the cells in rings around the point's cell and stops as soon as the
//! best edge found is nearer than anything outside the rings can be (the
//! distance from the point to the rings' outer border). On a walking
//! network, where edges are short and dense, that is one ring of cells
//! for most points, against an R-tree's descent from the root with a
//! priority queue (about 1.3 µs per point on Helsinki with `rstar`).
//!
//! The answer is defined without reference to the index: the edge with
//! the smallest squared distance, as computed by [`segment_distance2`],
//! and among equally near edges the one listed first (lowest index, i.e.
//! the lowest arc of the lower-numbered end node). [`EdgeGrid::nearest_linear`]
//! computes the same by scanning every edge; the tests compare the two.
//!
//! Per network, built once (lazily, or by `prepare_snapping`): about
//! 16 bytes per edge for the segments and a few bytes per cell.

/// An edge's end points in projected metres: `[ax, ay, bx, by]`.
pub(crate) type Segment = [f64; 4];

/// Squared distance from `q` to segment `s`, and the position of the
/// nearest point along it (0 at `a`, 1 at `b`).
#[inline]
pub(crate) fn segment_distance2(s: &Segment, q: [f64; 2]) -> (f64, f64) {
    let (dx, dy) = (s[2] - s[0], s[3] - s[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((q[0] - s[0]) * dx + (q[1] - s[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (px, py) = (s[0] + t * dx, s[1] + t * dy);
    let (ex, ey) = (q[0] - px, q[1] - py);
    (ex * ex + ey * ey, t)
}

/// The nearest edge found by a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NearestEdge {
    /// Index of the edge (in the order given to [`EdgeGrid::build`]).
    pub edge: u32,
    /// Squared distance in projected metres.
    pub d2: f64,
    /// Position of the nearest point along the edge, 0 at its first end.
    pub t: f64,
}

impl NearestEdge {
    /// Whether `(d2, edge)` beats this one: nearer, or as near and listed
    /// earlier.
    #[inline]
    fn beaten_by(&self, d2: f64, edge: u32) -> bool {
        d2 < self.d2 || (d2 == self.d2 && edge < self.edge)
    }
}

/// Uniform grid of edges, packed.
#[derive(Debug, Clone)]
pub(crate) struct EdgeGrid {
    /// The grid's lower left corner and cell side, in projected metres.
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    /// Cell `c = cy * nx + cx` holds `items[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    items: Vec<u32>,
    segments: Vec<Segment>,
}

/// Slack added around each segment's extent when registering it, so that
/// rounding in the cell arithmetic never leaves it out of a cell it
/// touches (far below any distance that matters).
const SLACK_M: f64 = 1e-6;

impl EdgeGrid {
    /// Indexes `segments` (edge `i` is `segments[i]`).
    pub(crate) fn build(segments: Vec<Segment>) -> EdgeGrid {
        let m = segments.len().max(1);
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        let mut total_len = 0.0;
        for s in &segments {
            x0 = x0.min(s[0]).min(s[2]);
            x1 = x1.max(s[0]).max(s[2]);
            y0 = y0.min(s[1]).min(s[3]);
            y1 = y1.max(s[1]).max(s[3]);
            total_len += (s[2] - s[0]).hypot(s[3] - s[1]);
        }
        if segments.is_empty() {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let (w, h) = (x1 - x0, y1 - y0);
        // About one edge per cell over the bounding box, never smaller
        // than the mean edge (an edge then crosses few cells), and never
        // so small that a long thin box gets more cells than edges along
        // its length: the cell count stays within a few times the edges.
        let cell = (w * h / m as f64)
            .sqrt()
            .max(total_len / m as f64)
            .max(w.max(h) / m as f64)
            .max(1.0);
        let nx = (w / cell).floor() as usize + 1;
        let ny = (h / cell).floor() as usize + 1;
        let mut grid = EdgeGrid {
            x0,
            y0,
            cell,
            nx,
            ny,
            start: vec![0; nx * ny + 1],
            items: Vec::new(),
            segments,
        };
        // Two passes: count per cell, then fill.
        let mut count = vec![0u32; nx * ny];
        for s in &grid.segments {
            grid.for_each_cell(s, |c| count[c] += 1);
        }
        let mut acc = 0u32;
        for (c, n) in count.iter().enumerate() {
            grid.start[c] = acc;
            acc += n;
        }
        grid.start[nx * ny] = acc;
        let mut fill: Vec<u32> = grid.start[..nx * ny].to_vec();
        let mut items = vec![0u32; acc as usize];
        for (e, s) in grid.segments.iter().enumerate() {
            grid.for_each_cell(s, |c| {
                items[fill[c] as usize] = e as u32;
                fill[c] += 1;
            });
        }
        grid.items = items;
        grid
    }

    /// The cell column (or row) of coordinate `v` along an axis starting at
    /// `v0` with `n` cells, clamped into the grid.
    #[inline]
    fn cell_of(&self, v: f64, v0: f64, n: usize) -> usize {
        let c = ((v - v0) / self.cell).floor();
        if c <= 0.0 { 0 } else { (c as usize).min(n - 1) }
    }

    /// Calls `f` with every cell segment `s` passes through (with
    /// [`SLACK_M`] around it): row by row, the columns spanned by the part
    /// of the segment within the row's band.
    fn for_each_cell(&self, s: &Segment, mut f: impl FnMut(usize)) {
        let (ylo, yhi) = (s[1].min(s[3]) - SLACK_M, s[1].max(s[3]) + SLACK_M);
        let (row_lo, row_hi) = (
            self.cell_of(ylo, self.y0, self.ny),
            self.cell_of(yhi, self.y0, self.ny),
        );
        let (dx, dy) = (s[2] - s[0], s[3] - s[1]);
        for row in row_lo..=row_hi {
            // The segment's x extent within this row's band.
            let band_lo = (self.y0 + row as f64 * self.cell).max(ylo);
            let band_hi = (self.y0 + (row + 1) as f64 * self.cell).min(yhi);
            let (xa, xb) = if dy.abs() > 0.0 && row_lo != row_hi {
                let x_at = |y: f64| s[0] + (y - s[1]) / dy * dx;
                (x_at(band_lo), x_at(band_hi))
            } else {
                (s[0], s[2])
            };
            let (xlo, xhi) = (
                xa.min(xb).max(s[0].min(s[2])) - SLACK_M,
                xa.max(xb).min(s[0].max(s[2])) + SLACK_M,
            );
            let (col_lo, col_hi) = (
                self.cell_of(xlo, self.x0, self.nx),
                self.cell_of(xhi, self.x0, self.nx),
            );
            for col in col_lo..=col_hi {
                f(row * self.nx + col);
            }
        }
    }

    /// The segment of edge `e`.
    pub(crate) fn segment(&self, e: u32) -> &Segment {
        &self.segments[e as usize]
    }

    /// The edges of cell (`cx`, `cy`) offered to `best`.
    #[inline]
    fn scan_cell(&self, cx: usize, cy: usize, q: [f64; 2], best: &mut Option<NearestEdge>) {
        let c = cy * self.nx + cx;
        for &e in &self.items[self.start[c] as usize..self.start[c + 1] as usize] {
            let (d2, t) = segment_distance2(&self.segments[e as usize], q);
            if best.is_none_or(|b| b.beaten_by(d2, e)) {
                *best = Some(NearestEdge { edge: e, d2, t });
            }
        }
    }

    /// The edge nearest `q` (see the module documentation for ties);
    /// `None` only when there are no edges.
    pub(crate) fn nearest(&self, q: [f64; 2]) -> Option<NearestEdge> {
        let cx = self.cell_of(q[0], self.x0, self.nx) as isize;
        let cy = self.cell_of(q[1], self.y0, self.ny) as isize;
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        let mut best: Option<NearestEdge> = None;
        for r in 0.. {
            let (xlo, xhi, ylo, yhi) = (cx - r, cx + r, cy - r, cy + r);
            // Ring r: rows ylo and yhi in full, columns xlo and xhi between
            // (ring 0 is the one cell).
            let rows = if r == 0 { &[ylo][..] } else { &[ylo, yhi][..] };
            for &y in rows {
                if (0..ny).contains(&y) {
                    for x in xlo.max(0)..=xhi.min(nx - 1) {
                        self.scan_cell(x as usize, y as usize, q, &mut best);
                    }
                }
            }
            if r > 0 {
                for x in [xlo, xhi] {
                    if (0..nx).contains(&x) {
                        for y in (ylo + 1).max(0)..=(yhi - 1).min(ny - 1) {
                            self.scan_cell(x as usize, y as usize, q, &mut best);
                        }
                    }
                }
            }
            if xlo <= 0 && ylo <= 0 && xhi >= nx - 1 && yhi >= ny - 1 {
                break; // every cell seen
            }
            // Nothing outside the square of rings 0..=r is nearer than its
            // border. Stop once the best is nearer than that, with a
            // margin for rounding so that an edge beyond the border can
            // never compute as nearer or as near (it would win a tie).
            let c = self.cell;
            let bound = (q[0] - (self.x0 + xlo as f64 * c))
                .min(self.x0 + (xhi + 1) as f64 * c - q[0])
                .min(q[1] - (self.y0 + ylo as f64 * c))
                .min(self.y0 + (yhi + 1) as f64 * c - q[1]);
            if let Some(b) = best
                && bound > 0.0
                && b.d2 * (1.0 + 1e-9) + 1e-12 < bound * bound
            {
                break;
            }
        }
        best
    }

    /// The same answer as [`Self::nearest`] by scanning every edge: the
    /// reference the grid is tested against.
    pub(crate) fn nearest_linear(&self, q: [f64; 2]) -> Option<NearestEdge> {
        let mut best: Option<NearestEdge> = None;
        for (e, s) in self.segments.iter().enumerate() {
            let (d2, t) = segment_distance2(s, q);
            if best.is_none_or(|b| b.beaten_by(d2, e as u32)) {
                best = Some(NearestEdge {
                    edge: e as u32,
                    d2,
                    t,
                });
            }
        }
        best
    }

    /// Cells and registered entries, for the tests' sanity checks.
    #[cfg(test)]
    pub(crate) fn shape(&self) -> (usize, usize, usize) {
        (self.nx, self.ny, self.items.len())
    }
}
