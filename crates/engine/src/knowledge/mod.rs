//! What poolfix knows, as data: drivers and the URL keys they accept, services and the
//! settings they read, Supabase endpoints, and the limits per compute size. Each table row
//! cites its source; the rules read these tables instead of hard-coding facts.

pub mod compute;
pub mod drivers;
pub mod endpoints;
pub mod services;
