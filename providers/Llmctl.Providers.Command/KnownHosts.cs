using System.Security.Cryptography;
using System.Text;

namespace Llmctl.Providers.Command;

/// <summary>What a known_hosts file says about a presented key.</summary>
internal enum KnownHostVerdict
{
    /// <summary>An entry for this host holds this key.</summary>
    Match,
    /// <summary>No entry for this host with this key type.</summary>
    Unknown,
    /// <summary>The host is listed with a different key of this type (or this key is marked @revoked).</summary>
    Changed,
}

/// <summary>
/// Reads and appends OpenSSH known_hosts files: plain patterns (<c>host</c>, <c>[host]:port</c>, comma lists,
/// <c>*</c>/<c>?</c> wildcards, <c>!</c> negation), hashed entries (<c>|1|salt|hmac-sha1</c>) and <c>@revoked</c>.
/// <c>@cert-authority</c> lines are ignored (host certificates are not checked).
/// </summary>
internal static class KnownHosts
{
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");

    public static KnownHostVerdict Check(string path, string hostName, string keyType, byte[] key)
    {
        if (!File.Exists(path)) return KnownHostVerdict.Unknown;
        var presented = Convert.ToBase64String(key);
        var sawSameType = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string? marker = null;
            if (fields[0].StartsWith('@'))
            {
                marker = fields[0];
                fields = fields[1..];
            }
            if (fields.Length < 3 || !HostMatches(fields[0], hostName)) continue;
            if (marker == "@cert-authority") continue;
            var same = fields[2] == presented;
            if (marker == "@revoked")
            {
                if (same) return KnownHostVerdict.Changed;
                continue;
            }
            if (same) return KnownHostVerdict.Match;
            if (fields[1] == keyType) sawSameType = true;
        }
        return sawSameType ? KnownHostVerdict.Changed : KnownHostVerdict.Unknown;
    }

    /// <summary>Appends <c>hostName keyType base64</c>, creating the file (mode 600) and its folder (700) when absent.</summary>
    public static void Add(string path, string hostName, string keyType, byte[] key)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var prefix = File.Exists(path) && new FileInfo(path).Length > 0 && !EndsWithNewline(path) ? "\n" : "";
        File.AppendAllText(path, $"{prefix}{hostName} {keyType} {Convert.ToBase64String(key)}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    internal static bool HostMatches(string patterns, string hostName)
    {
        if (patterns.StartsWith("|1|", StringComparison.Ordinal)) return HashedMatches(patterns, hostName);
        var matched = false;
        foreach (var pattern in patterns.Split(','))
        {
            var negated = pattern.StartsWith('!');
            var p = negated ? pattern[1..] : pattern;
            if (!Glob(p, hostName)) continue;
            if (negated) return false;
            matched = true;
        }
        return matched;
    }

    private static bool HashedMatches(string entry, string hostName)
    {
        var parts = entry.Split('|');
        if (parts.Length != 4) return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(hostName));
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Glob(string pattern, string text)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?')) return string.Equals(pattern, text, StringComparison.OrdinalIgnoreCase);
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(text, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    private static bool EndsWithNewline(string path)
    {
        using var stream = File.OpenRead(path);
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}
