using System.Globalization;
using System.Text.RegularExpressions;

namespace Llmctl.Testing;

/// <summary>
/// The repository's sample models.lock.yaml with every unlocked entry given a made-up but well-formed sha256 and size,
/// for tests of what a fully locked stack does (never a real checksum: those belong to files someone downloaded).
/// </summary>
public static partial class LockedSample
{
    public static string Text()
    {
        var n = 0;
        return UnlockedEntry().Replace(File.ReadAllText(RepoFiles.Path("models.lock.yaml")),
            m => $"sha256: \"{(++n).ToString("x64", CultureInfo.InvariantCulture)}\"\n{m.Groups[1].Value}sizeBytes: {20_000_000_000L + n}\n");
    }

    [GeneratedRegex("sha256: \"\"\\n(\\s+)sizeBytes:[ ]*\\n")]
    private static partial Regex UnlockedEntry();
}
