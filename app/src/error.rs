//! The one error type that crosses the server-function boundary. It carries no text: the
//! UI words each variant in the user's language, and the server logs the internal detail.
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::domain::account::Invalid;
use crate::domain::conflicts::Clash;
use crate::domain::session_draft::FieldProblem;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A form with problems in named fields; nothing was saved.
    #[error("the form has {} problem(s)", .0.len())]
    Form(Vec<FieldProblem>),
    /// A lecturer or place is booked elsewhere at the time; nothing was saved.
    #[error("{} clash(es) with other sessions", .0.len())]
    Clashes(Vec<Clash>),
    #[error("current password is wrong")]
    WrongPassword,
    /// The code of the second factor (or the recovery code) is wrong or was used.
    #[error("the code is wrong")]
    WrongCode,
    /// Too many wrong tries at a secret; the caller must wait before the next.
    #[error("too many tries; wait {0} minute(s)")]
    TooManyTries(i64),
    /// The server is at its bound of password checks; nothing was done.
    #[error("busy")]
    Busy,
    #[error("internal error")]
    Internal,
    /// The request never reached our code (network down, bad encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    UsernameTaken,
    /// Refused because it would leave nobody able to manage accounts.
    LastAdmin,
    /// An admin may not disable their own account.
    OwnAccount,
    /// A cancelled session is kept as it was.
    SessionCancelled,
    /// A theme of that name exists.
    ThemeExists,
    /// A leave or make-up request for this session was already made.
    AlreadyAsked,
    /// Leave is asked before the session starts, by someone not yet checked in.
    LeaveClosed,
    /// The request was already decided.
    AlreadyDecided,
    /// The announcement's unread were reminded already.
    AlreadyReminded,
    /// The suggestion was closed (办结): it takes no more answers.
    SuggestionClosed,
    /// Marking the rest absent waits for the session's end.
    SessionNotOver,
    /// Someone saved the material since the editor opened it; nothing was overwritten.
    StaleMaterial,
    /// The reflection was accepted (or waits for a decision), or the session has not started.
    ReflectionClosed,
    /// A make-up starts with reading the material.
    ReadFirst,
    /// An import sheet with problems is not written.
    ImportHasProblems,
    /// A subdistrict (in the district) or community (in its subdistrict) has that name.
    NameTaken,
    /// A check-in correction is asked after the start, within the days allowed, by someone
    /// without a check-in.
    CorrectionClosed,
    /// This month's corrections are used up.
    CorrectionQuotaUsed,
    /// The person filled this session's evaluation card already.
    AlreadyEvaluated,
    /// The card is for those who attended, within two weeks of the end.
    EvaluationClosed,
}

impl From<crate::domain::session_draft::FieldProblem> for AppError {
    fn from(problem: crate::domain::session_draft::FieldProblem) -> Self {
        AppError::Form(vec![problem])
    }
}

impl AppError {
    /// One field of a form is wrong.
    pub fn field(
        field: crate::domain::session_draft::Field,
        problem: crate::domain::session_draft::Problem,
    ) -> AppError {
        crate::domain::session_draft::FieldProblem { field, problem }.into()
    }
}

impl From<Invalid> for AppError {
    fn from(value: Invalid) -> Self {
        AppError::Invalid(value)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_)
            | AppError::Form(_)
            | AppError::WrongPassword
            | AppError::WrongCode => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::Clashes(_) => StatusCode::CONFLICT,
            AppError::TooManyTries(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs what went wrong inside and hands the caller a plain `Internal`.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::internal(format!("{err:#}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;
