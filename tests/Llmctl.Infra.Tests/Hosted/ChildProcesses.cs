using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Llmctl.Infra.Tests.Hosted;

/// <summary>The fake Kubernetes API server run as its own process (llmctl-fake-apiserver), stopped when disposed.</summary>
internal sealed class FakeApiServerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly Process _process;

    private FakeApiServerProcess(Process process, string url, string kubeconfig)
    {
        _process = process;
        Url = url;
        Kubeconfig = kubeconfig;
    }

    public string Url { get; }
    public string Kubeconfig { get; }

    public static async Task<FakeApiServerProcess> StartAsync(string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var urlFile = Path.Combine(directory, "url");
        var kubeconfig = Path.Combine(directory, "kubeconfig");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "llmctl-fake-apiserver.dll"),
            "--kubeconfig", kubeconfig, "--context", "homelab", "--url-file", urlFile, "--ready-after", "20",
            "--node", "gpu-worker", "--seed", Path.Combine(AppContext.BaseDirectory, "Hosted", "homelab-prerequisites.json"), "--exit-on-stdin-eof",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(urlFile))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                if (!process.HasExited) process.Kill();
                throw new InvalidOperationException($"llmctl-fake-apiserver did not start (exit {(process.HasExited ? process.ExitCode : -1)})");
            }
            await Task.Delay(50, ct);
        }
        return new FakeApiServerProcess(process, (await File.ReadAllTextAsync(urlFile, ct)).Trim(), kubeconfig);
    }

    /// <summary>Every stored object, from the fake's dump path.</summary>
    public async Task<JsonArray> ObjectsAsync(CancellationToken ct) =>
        JsonNode.Parse(await Http.GetStringAsync(Url + "/_fake/objects", ct))!.AsArray();

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}

/// <summary>One run of the real llmctl binary as a child process, optionally killed with SIGKILL mid-run.</summary>
internal sealed record LlmctlRun(int ExitCode, bool Killed, string Out, string Err)
{
    /// <summary>
    /// Runs <c>llmctl <paramref name="args"/></c> in <paramref name="directory"/>; when a line of its standard output
    /// makes <paramref name="killWhen"/> true, the process is killed with SIGKILL at once.
    /// </summary>
    public static async Task<LlmctlRun> RunAsync(string directory, IReadOnlyDictionary<string, string> env, string[] args,
        Func<string, bool>? killWhen, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llmctl.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (k, v) in env) start.Environment[k] = v;
        start.Environment["CI"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var error = new StringBuilder();
        var killed = false;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (!killed && killWhen?.Invoke(e.Data) == true)
            {
                killed = true;
                try
                {
                    // Process.Kill is SIGKILL on Linux: no handler, no cleanup, no lock release.
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (error) error.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        process.WaitForExit();
        lock (output) lock (error) return new LlmctlRun(process.ExitCode, killed, output.ToString(), error.ToString());
    }
}
