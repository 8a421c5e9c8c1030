namespace Llmctl.Testing;

/// <summary>Paths inside this repository (Pulumi.yaml, stack files), found from the test's output folder.</summary>
public static class RepoFiles
{
    private static readonly Lazy<string> RootDir = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "llmctl.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("llmctl.slnx not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootDir.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
