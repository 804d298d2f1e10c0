//! What every HTTP function shares.
