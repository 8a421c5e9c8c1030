namespace Llmctl.Infra.Cli;

/// <summary>Pulumi's exit-code taxonomy (CLI ≥ v3.226.1), kept so scripts written for Pulumi read ours the same.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    /// <summary>Bad flags, config or schema; also <c>up</c> without <c>--yes</c> when not interactive.</summary>
    public const int ConfigOrUsage = 2;
    /// <summary>A provider failed during preview, up, refresh or destroy.</summary>
    public const int ResourceError = 4;
    public const int PolicyViolation = 5;
    public const int StackNotFound = 6;
    public const int ChangesNotExpected = 7;
    public const int Cancelled = 8;
    public const int Timeout = 9;
}

/// <summary>A failure the user can act on: printed as <c>error: message</c>, no stack trace, with its exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
