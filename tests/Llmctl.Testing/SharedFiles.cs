using Xunit;

namespace Llmctl.Testing;

/// <summary>
/// Finds ../shared (the operators' seeds, upstream charts, CRDs and GGUF files) beside the project. Tests that need
/// it call <see cref="RequirePath"/>, which reports the test as skipped, with the reason, when it is absent — so a
/// lone clone still passes.
/// </summary>
public static class SharedFiles
{
    private static readonly Lazy<string?> RootDir = new(Locate);

    public static string? Root => RootDir.Value;

    public static string RequirePath(params string[] parts)
    {
        var root = Root;
        if (root is null)
        {
            Assert.Skip("../shared is not beside the project (set LLMCTL_SHARED_DIR to point at it)");
            throw new InvalidOperationException("unreachable");
        }
        var path = Path.Combine([root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Skip($"{path} is not present in the shared folder");
        }
        return path;
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("LLMCTL_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "llmctl.slnx")))
            {
                var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(shared) ? shared : null;
            }
        }
        return null;
    }
}
