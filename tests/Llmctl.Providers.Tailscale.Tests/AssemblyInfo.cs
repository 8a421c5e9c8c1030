// Tests that touch process-wide state (environment variables, the current directory) opt out with
// [Collection("Serial")]; everything else runs in parallel. Each test starts its own WireMock server on 127.0.0.1.
