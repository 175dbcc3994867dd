//! What the generated example tests read of a request type beside the
//! [`Request`] contract. Not part of the client: sending a call needs
//! none of it.

use crate::request::{Protocol, Request};
use crate::{envelope, qimen};

/// Implemented by every generated request type for its tests.
pub trait RequestFixture: Request {
    /// Parameters that travel as JSON strings (struct-typed ones).
    const JSON_PARAMS: &'static [&'static str];

    /// Key of the answer's body: `<name>_response` on the TOP gateway
    /// ([`envelope::response_key`]), the `<response>` root for Qimen.
    fn response_key() -> String {
        match Self::PROTOCOL {
            Protocol::Top => envelope::response_key(Self::METHOD),
            Protocol::Qimen => qimen::ROOT.to_owned(),
        }
    }
}
