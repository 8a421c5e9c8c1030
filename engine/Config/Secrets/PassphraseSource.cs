namespace Llmctl.Engine.Config.Secrets;

/// <summary>
/// Where the passphrase comes from, as in Pulumi's <c>readPassphrase</c> (pkg/secrets/passphrase/manager.go):
/// <c>PULUMI_CONFIG_PASSPHRASE</c> when set (an empty value is a valid, empty passphrase), else the file named by
/// <c>PULUMI_CONFIG_PASSPHRASE_FILE</c> with surrounding whitespace trimmed (Pulumi uses <c>strings.TrimSpace</c>,
/// which also drops the trailing newline editors add). The environment is injected so tests never touch the process's.
/// </summary>
public static class PassphraseSource
{
    public const string PassphraseVariable = "PULUMI_CONFIG_PASSPHRASE";
    public const string PassphraseFileVariable = "PULUMI_CONFIG_PASSPHRASE_FILE";

    /// <summary>The passphrase, or null when neither variable is set.</summary>
    public static string? TryRead(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(PassphraseVariable) is { } phrase) return phrase;
        if (environment(PassphraseFileVariable) is { Length: > 0 } file)
        {
            try
            {
                return File.ReadAllText(Path.GetFullPath(file)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SecretDecryptionException($"unable to read {PassphraseFileVariable} '{file}': {e.Message}", e);
            }
        }
        return null;
    }

    /// <summary>The passphrase; throws <see cref="SecretDecryptionException"/> naming both variables when unset.</summary>
    public static string Read(Func<string, string?> environment, string? stackName = null) =>
        TryRead(environment) ?? throw new SecretDecryptionException(
            (stackName is null ? "" : $"stack '{stackName}' has encrypted config; ") +
            $"passphrase must be set with {PassphraseVariable} or {PassphraseFileVariable} environment variables");
}
