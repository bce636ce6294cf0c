//! The fixed-seed pseudo-random numbers of the tests, benches and examples
//! that build synthetic districts (a linear congruential generator, Knuth's
//! MMIX constants): the same seed gives the same district on every run and
//! machine, with no dependency.

pub struct Lcg(pub u64);

impl Lcg {
    fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }

    /// A number in `0..n`.
    #[allow(dead_code)] // Not every target that includes this file draws indices.
    pub fn next(&mut self, n: usize) -> usize {
        ((self.step() >> 33) as usize) % n
    }

    /// A number in `[0, 1)`.
    #[allow(dead_code)] // Not every target that includes this file draws fractions.
    pub fn unit(&mut self) -> f64 {
        ((self.step() >> 11) as f64) / ((1u64 << 53) as f64)
    }
}
