using System.Security.Cryptography;

namespace Llmctl.Providers.Command;

/// <summary>
/// Decides whether to trust the key a server presents. A pinned <c>hostKey</c> must match; otherwise the
/// known_hosts file decides, and an unknown key is accepted (and recorded) only with <c>trustOnFirstUse</c>.
/// A changed key is always refused.
/// </summary>
internal sealed class HostKeyVerifier(ConnectionInputs connection)
{
    public string KnownHostsPath { get; } = connection.KnownHostsPath is { Length: > 0 } p ? ExpandHome(p) : KnownHosts.DefaultPath;

    /// <summary>Why the key was refused, when it was; a refusal is never retried.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Set when an unknown key was accepted on first use: record it once the session is up.</summary>
    public (string Type, byte[] Key, string Fingerprint)? ToRecord { get; private set; }

    public static string Fingerprint(byte[] key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    public static bool IsValidPin(string pin)
    {
        pin = pin.Trim();
        if (pin.StartsWith("SHA256:", StringComparison.Ordinal)) return pin.Length > 7;
        var fields = pin.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && TryBase64(fields[1]) is not null;
    }

    public bool Verify(string keyType, byte[] key)
    {
        var fingerprint = Fingerprint(key);
        var name = connection.KnownHostsName;
        if (connection.HostKey is { Length: > 0 } pin)
        {
            if (PinMatches(pin.Trim(), keyType, key, fingerprint)) return true;
            Refusal = $"host key verification failed for {name}: the server presented {keyType} {fingerprint}, but connection.hostKey pins {Describe(pin.Trim())}. "
                + "If the host was reinstalled, check the new key out of band (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host) "
                + $"and set connection.hostKey to \"{fingerprint}\"; otherwise someone may be intercepting the connection.";
            return false;
        }
        switch (KnownHosts.Check(KnownHostsPath, name, keyType, key))
        {
            case KnownHostVerdict.Match:
                return true;
            case KnownHostVerdict.Changed:
                Refusal = $"host key verification failed for {name}: the server presented {keyType} {fingerprint}, which differs from the key recorded in {KnownHostsPath} "
                    + "(REMOTE HOST IDENTIFICATION HAS CHANGED). If the host was reinstalled, check the new key out of band, remove the old entry "
                    + $"(ssh-keygen -R '{name}' -f {KnownHostsPath}) and pin connection.hostKey = \"{fingerprint}\". trustOnFirstUse does not accept a changed key.";
                return false;
            default:
                if (connection.TrustOnFirstUse)
                {
                    ToRecord = (keyType, key, fingerprint);
                    return true;
                }
                Refusal = $"host key for {name} is not known: the server presented {keyType} {fingerprint}, and neither connection.hostKey nor {KnownHostsPath} vouches for it. "
                    + "Check the fingerprint out of band (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host), then pin it with "
                    + $"connection.hostKey = \"{fingerprint}\", add it to {KnownHostsPath} (ssh-keyscan -p {connection.Port} {connection.Host}), "
                    + "or set connection.trustOnFirstUse = true to accept and record it on first connect.";
                return false;
        }
    }

    /// <summary>Writes the key accepted on first use to known_hosts; returns the line to report.</summary>
    public string? Record()
    {
        if (ToRecord is not { } r) return null;
        KnownHosts.Add(KnownHostsPath, connection.KnownHostsName, r.Type, r.Key);
        return $"trust on first use: permanently added '{connection.KnownHostsName}' ({r.Type} {r.Fingerprint}) to {KnownHostsPath}";
    }

    private static bool PinMatches(string pin, string keyType, byte[] key, string fingerprint)
    {
        if (pin.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            return string.Equals(pin.TrimEnd('='), fingerprint, StringComparison.Ordinal);
        }
        var fields = pin.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && fields[0] == keyType && TryBase64(fields[1]) is { } blob && blob.AsSpan().SequenceEqual(key);
    }

    private static string Describe(string pin)
    {
        if (pin.StartsWith("SHA256:", StringComparison.Ordinal)) return pin;
        var fields = pin.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && TryBase64(fields[1]) is { } blob ? $"{fields[0]} {Fingerprint(blob)}" : "an unreadable key";
    }

    private static byte[]? TryBase64(string s)
    {
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
