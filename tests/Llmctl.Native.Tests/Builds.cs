using System.Diagnostics;
using Llmctl.Testing;

namespace Llmctl.Native.Tests;

/// <summary>What one process printed and how it exited.</summary>
public sealed record Run(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
}

/// <summary>Which build of llmctl runs a command.</summary>
public enum Build
{
    /// <summary>The JIT build: <c>dotnet llmctl.dll</c> from this test project's output (the infra project reference).</summary>
    Jit,
    /// <summary>The published Native AOT binary (<c>$LLMCTL_NATIVE_BINARY</c>), copied alone into a folder of its own.</summary>
    Native,
}

/// <summary>
/// Runs both builds of llmctl as processes with the same environment: no colour, a fixed width, CI set (never
/// interactive), <c>HOME</c> and the file backend inside the test's folder, and none of the caller's llmctl or
/// passphrase variables unless the test sets them.
/// </summary>
public static class Builds
{
    public const string Variable = "LLMCTL_NATIVE_BINARY";

    private static readonly Lazy<string?> NativeCopy = new(CopyNative);

    /// <summary>The folder the binary was published to (to check that nothing else is needed beside it).</summary>
    public static string PublishedBinary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrEmpty(path))
            {
                Assert.Skip($"{Variable} is not set, so there is no native binary to smoke-test: publish it with "
                    + "'dotnet publish infra -r linux-x64 -c Release -o artifacts/native' and set "
                    + $"{Variable}=artifacts/native/llmctl (.ci/run does both)");
            }
            var full = Path.GetFullPath(path!, RepoFiles.Root);
            // Set but missing is a broken CI step, not a reason to skip.
            Assert.True(File.Exists(full), $"{Variable} points at {full}, which does not exist");
            return full;
        }
    }

    /// <summary>The native binary, copied alone into a fresh folder: it must run with nothing beside it.</summary>
    public static string Native
    {
        get
        {
            _ = PublishedBinary;
            return NativeCopy.Value!;
        }
    }

    private static string? CopyNative()
    {
        var dir = Directory.CreateTempSubdirectory("llmctl-native-bin-").FullName;
        var copy = Path.Combine(dir, "llmctl");
        File.Copy(PublishedBinary, copy);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(copy, File.GetUnixFileMode(PublishedBinary));
        return copy;
    }

    private static readonly string[] Cleared =
    [
        "LLMCTL_STACK", "LLMCTL_BACKEND_URL", "LLMCTL_CHART_CACHE", "LLMCTL_HELM", "LLMCTL_DEBUG", "LLMCTL_TIMINGS",
        "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "KUBECONFIG", "FORCE_COLOR", "CLICOLOR_FORCE",
    ];

    /// <summary>Runs <paramref name="build"/> with <paramref name="args"/> in <paramref name="workspace"/> (or its <paramref name="cwd"/>).</summary>
    public static async Task<Run> RunAsync(Build build, Workspace workspace, string[] args, IReadOnlyDictionary<string, string>? env = null, string? cwd = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(args);
        var start = build == Build.Native ? new ProcessStartInfo(Native) : new ProcessStartInfo("dotnet");
        if (build == Build.Jit) start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llmctl.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.WorkingDirectory = cwd ?? workspace.Directory;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var name in Cleared) start.Environment.Remove(name);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["TERM"] = "dumb";
        start.Environment["COLUMNS"] = "120";
        start.Environment["CI"] = "true";
        start.Environment["HOME"] = workspace.Home;
        start.Environment["LLMCTL_BACKEND_URL"] = "file://" + workspace.State;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Generous: the JIT build starts slowly on a loaded 2-core machine.
        limit.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the JIT build, then the native one, with the same arguments, environment and folder.</summary>
    public static async Task<(Run Jit, Run Native)> BothAsync(Workspace workspace, string[] args, IReadOnlyDictionary<string, string>? env = null)
    {
        _ = Native; // skips before the slower JIT run when there is no binary
        var jit = await RunAsync(Build.Jit, workspace, args, env);
        var nat = await RunAsync(Build.Native, workspace, args, env);
        return (jit, nat);
    }

    /// <summary>Both builds printed the same bytes and exited alike.</summary>
    public static void AssertSame(Run jit, Run native, string what)
    {
        ArgumentNullException.ThrowIfNull(jit);
        ArgumentNullException.ThrowIfNull(native);
        Assert.True(jit.ExitCode == native.ExitCode, $"{what}: the JIT build exited {jit.ExitCode}, the native one {native.ExitCode}\nJIT: {jit}\nnative: {native}");
        Assert.True(jit.Out == native.Out, $"{what}: standard output differs\n{FirstDifference(jit.Out, native.Out)}");
        Assert.True(jit.Err == native.Err, $"{what}: standard error differs\n{FirstDifference(jit.Err, native.Err)}");
    }

    /// <summary>The first line where two texts differ, for a readable failure.</summary>
    public static string FirstDifference(string jit, string native)
    {
        var a = jit.Split('\n');
        var b = native.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "<end>";
            var y = i < b.Length ? b[i] : "<end>";
            if (x != y) return $"line {i + 1}:\n  JIT:    {x}\n  native: {y}";
        }
        return "(no line differs)";
    }
}

/// <summary>
/// A scratch copy of the repository's project: <c>Pulumi.yaml</c>, both sample stacks, the chart and model locks and
/// the evidence folder, with a <c>home</c> and a <c>state</c> folder of its own. Deleted when disposed.
/// </summary>
public sealed class Workspace : IDisposable
{
    public Workspace()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("llmctl-native-").FullName;
        foreach (var file in new[] { "Pulumi.yaml", "Pulumi.homelab.yaml", "Pulumi.fleet.yaml", "charts.lock.yaml", "models.lock.yaml" })
        {
            File.Copy(RepoFiles.Path(file), Path.Combine(Directory, file));
        }
        CopyTree(RepoFiles.Path("evidence"), Path.Combine(Directory, "evidence"));
        System.IO.Directory.CreateDirectory(Home);
    }

    public string Directory { get; }
    public string Home => Path.Combine(Directory, "home");
    public string State => Path.Combine(Directory, "state");

    public string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    public static void CopyTree(string from, string to)
    {
        if (!System.IO.Directory.Exists(from)) return;
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
