//! Open311
