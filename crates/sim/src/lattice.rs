//! The square lattice of cells that grids are made of.
//!
//! Cell boundaries lie on whole units (1e-7 degree), so the stored grid polygons have
//! exactly the coordinates the lattice uses, and a point's cell is an integer division.

use crate::frame::{Frame, Pt};

#[derive(Debug, Clone)]
pub(crate) struct Lattice {
    pub frame: Frame,
    /// Cell width and height in units.
    pub cw: i64,
    pub ch: i64,
    /// Number of columns and rows; the lattice starts at the frame origin.
    pub nx: i64,
    pub ny: i64,
}

impl Lattice {
    /// A lattice of cells about `size_m` metres square covering `width_m` × `height_m` from the origin.
    pub fn new(frame: Frame, size_m: f64, width_m: f64, height_m: f64) -> Lattice {
        let cw = (size_m / frame.mx).round() as i64;
        let ch = (size_m / frame.my).round() as i64;
        let nx = (width_m / (cw as f64 * frame.mx)).ceil() as i64 + 1;
        let ny = (height_m / (ch as f64 * frame.my)).ceil() as i64 + 1;
        Lattice {
            frame,
            cw,
            ch,
            nx,
            ny,
        }
    }

    pub fn len(&self) -> usize {
        (self.nx * self.ny) as usize
    }

    pub fn ij(&self, cell: usize) -> (i64, i64) {
        (cell as i64 % self.nx, cell as i64 / self.nx)
    }

    pub fn index(&self, i: i64, j: i64) -> Option<usize> {
        ((0..self.nx).contains(&i) && (0..self.ny).contains(&j)).then(|| (j * self.nx + i) as usize)
    }

    /// The south-west and north-east corners of a cell.
    pub fn rect(&self, cell: usize) -> (Pt, Pt) {
        let (i, j) = self.ij(cell);
        let o = self.frame.origin;
        (
            Pt {
                x: o.x + i * self.cw,
                y: o.y + j * self.ch,
            },
            Pt {
                x: o.x + (i + 1) * self.cw,
                y: o.y + (j + 1) * self.ch,
            },
        )
    }

    /// Cell size in metres.
    pub fn size_m(&self) -> (f64, f64) {
        (
            self.cw as f64 * self.frame.mx,
            self.ch as f64 * self.frame.my,
        )
    }

    /// Moves a point that lies exactly on a cell line one unit east or north, so that it
    /// belongs to one cell only (`locate` would otherwise have to break the tie).
    pub fn nudge(&self, mut p: Pt) -> Pt {
        if (p.x - self.frame.origin.x).rem_euclid(self.cw) == 0 {
            p.x += 1;
        }
        if (p.y - self.frame.origin.y).rem_euclid(self.ch) == 0 {
            p.y += 1;
        }
        p
    }

    /// The cell of a point that lies on no cell line.
    pub fn cell_of(&self, p: Pt) -> Option<usize> {
        let i = (p.x - self.frame.origin.x).div_euclid(self.cw);
        let j = (p.y - self.frame.origin.y).div_euclid(self.ch);
        self.index(i, j)
    }

    /// The cell containing a point of the metric frame.
    pub fn cell_of_m(&self, x: f64, y: f64) -> Option<usize> {
        let (w, h) = self.size_m();
        self.index((x / w).floor() as i64, (y / h).floor() as i64)
    }

    /// Distance in metres from a vertical line `x` (or horizontal `y`) to the nearest cell line
    /// parallel to it.
    pub fn clearance_x(&self, x: f64) -> f64 {
        let w = self.size_m().0;
        let r = x.rem_euclid(w);
        r.min(w - r)
    }
    pub fn clearance_y(&self, y: f64) -> f64 {
        let h = self.size_m().1;
        let r = y.rem_euclid(h);
        r.min(h - r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_on_cell_lines_are_nudged_into_one_cell() {
        let f = Frame::new(
            Pt {
                x: 1_139_800_000,
                y: 224_900_000,
            },
            22.54,
        );
        let l = Lattice::new(f, 280.0, 5000.0, 5000.0);
        let (sw, ne) = l.rect(l.index(2, 3).unwrap());
        assert_eq!(l.cell_of(l.nudge(sw)), l.index(2, 3));
        assert_eq!(l.cell_of(l.nudge(ne)), l.index(3, 4));
        let inside = Pt {
            x: sw.x + 5,
            y: sw.y + 7,
        };
        assert_eq!(l.nudge(inside), inside);
        assert_eq!(l.cell_of(inside), l.index(2, 3));
    }
}
