//! List DTOs shared by the browser and the server.
