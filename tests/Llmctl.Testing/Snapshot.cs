using System.Text;
using Xunit;

namespace Llmctl.Testing;

/// <summary>
/// Compares a rendered folder with one checked in under <c>tests/…/Snapshots/</c>, byte for byte. With
/// <c>LLMCTL_UPDATE_SNAPSHOTS=1</c> the snapshot is rewritten from the rendered folder instead (review the diff, then commit).
/// </summary>
public static class Snapshot
{
    public const string UpdateVariable = "LLMCTL_UPDATE_SNAPSHOTS";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static void MatchDirectory(string actualDir, string snapshotDir)
    {
        if (Updating)
        {
            if (Directory.Exists(snapshotDir)) Directory.Delete(snapshotDir, recursive: true);
            foreach (var (relative, bytes) in Files(actualDir))
            {
                var target = Path.Combine(snapshotDir, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, bytes);
            }
            return;
        }
        var hint = $"(set {UpdateVariable}=1 and run the test again to accept the new output, then review the diff)";
        Assert.True(Directory.Exists(snapshotDir), $"no snapshot at {snapshotDir} {hint}");
        var expected = Files(snapshotDir);
        var actual = Files(actualDir);
        var problems = new List<string>();
        problems.AddRange(expected.Keys.Except(actual.Keys).Select(f => $"missing: {f}"));
        problems.AddRange(actual.Keys.Except(expected.Keys).Select(f => $"unexpected: {f}"));
        foreach (var file in expected.Keys.Intersect(actual.Keys).Where(f => !expected[f].AsSpan().SequenceEqual(actual[f])))
        {
            problems.Add($"differs: {file} {FirstDifference(expected[file], actual[file])}");
        }
        Assert.True(problems.Count == 0, $"rendered output differs from {snapshotDir} {hint}:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>Every file under <paramref name="dir"/> by relative path with <c>/</c>, sorted.</summary>
    public static SortedDictionary<string, byte[]> Files(string dir)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(dir, path).Replace(Path.DirectorySeparatorChar, '/')] = File.ReadAllBytes(path);
        }
        return files;
    }

    private static string FirstDifference(byte[] expected, byte[] actual)
    {
        var e = Encoding.UTF8.GetString(expected).Split('\n');
        var a = Encoding.UTF8.GetString(actual).Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var x = i < e.Length ? e[i] : "<end>";
            var y = i < a.Length ? a[i] : "<end>";
            if (x != y) return $"at line {i + 1}: expected «{x}», got «{y}»";
        }
        return "(line endings or encoding)";
    }
}
