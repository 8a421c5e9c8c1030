using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests.Hosted;

/// <summary>
/// The real <c>llmctl up</c>, as a child process against the fake API server in its own process, killed with SIGKILL
/// at several moments; the next <c>up</c> (no <c>stack unlock</c>, no other manual step) must converge to exactly the
/// objects of an uninterrupted run. <c>bench/kill-convergence.sh</c> runs the same with 20 kills
/// (<c>LLMCTL_KILL_TRIALS</c>) and writes the report (<c>LLMCTL_KILL_REPORT</c>).
/// </summary>
public sealed class KillTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmctl-kill-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A project folder with the repository's homelab stack, and the environment that points llmctl at the fake.</summary>
    private Dictionary<string, string> Project(string name, FakeApiServerProcess server)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        foreach (var file in new[] { "Pulumi.yaml", "Pulumi.homelab.yaml", "models.lock.yaml" }) File.Copy(RepoFiles.Path(file), Path.Combine(dir, file));
        return new Dictionary<string, string>
        {
            ["dir"] = dir,
            ["KUBECONFIG"] = server.Kubeconfig,
            ["LLMCTL_BACKEND_URL"] = "file://" + Path.Combine(dir, ".state"),
        };
    }

    private Task<LlmctlRun> UpAsync(Dictionary<string, string> project, Func<string, bool>? killWhen = null) =>
        LlmctlRun.RunAsync(project["dir"], project.Where(kv => kv.Key != "dir").ToDictionary(), ["up", "--yes", "-s", "homelab"], killWhen, _ct);

    [Fact]
    public async Task A_run_killed_at_three_moments_converges_on_the_next_up_to_the_objects_of_an_uninterrupted_run()
    {
        var trials = int.TryParse(Environment.GetEnvironmentVariable("LLMCTL_KILL_TRIALS"), CultureInfo.InvariantCulture, out var n) ? n : 3;
        var report = await RunTrialsAsync(trials);
        if (Environment.GetEnvironmentVariable("LLMCTL_KILL_REPORT") is { Length: > 0 } path) await File.WriteAllTextAsync(path, report.ToMarkdown(), _ct);
        Assert.True(report.Failures.Count == 0, string.Join("\n\n", report.Failures));
    }

    private async Task<KillReport> RunTrialsAsync(int trials)
    {
        var report = new KillReport(trials);

        // The reference: one uninterrupted run on a fresh server.
        JsonArray expected;
        await using (var server = await FakeApiServerProcess.StartAsync(Path.Combine(_root, "reference-server"), _ct))
        {
            var project = Project("reference", server);
            var run = await UpAsync(project);
            Assert.True(run.ExitCode == 0, $"the uninterrupted up failed ({run.ExitCode}):\n{run.Err}");
            expected = Normalize(await server.ObjectsAsync(_ct));
            report.Objects = expected.Count;
        }

        // Each trial: a fresh server and stack; one run killed after its k-th step began, then a plain `up`.
        var random = new Random(20261201);
        for (var trial = 0; trial < trials; trial++)
        {
            // Spread the kill moments over the run: early, middle, late, then at random. The homelab's run reports about
            // 32 steps begun (a step that finishes at once is reported only as done), so kills land within 1..28.
            var killAfter = trials <= 3 ? new[] { 1, 12, 25 }[trial] : 1 + random.Next(28);
            await using var server = await FakeApiServerProcess.StartAsync(Path.Combine(_root, $"server-{trial}"), _ct);
            var project = Project($"trial-{trial}", server);
            var begun = 0;
            var killed = await UpAsync(project, line => line.Contains(" creating", StringComparison.Ordinal) && Interlocked.Increment(ref begun) >= killAfter);
            var again = await UpAsync(project);
            var actual = Normalize(await server.ObjectsAsync(_ct));
            var verdict = new StringBuilder();
            if (!killed.Killed) verdict.AppendLine($"the run was not killed (it finished first, exit {killed.ExitCode})");
            if (again.ExitCode != 0) verdict.AppendLine($"the next up exited {again.ExitCode}:\n{again.Err}");
            if (again.Err.Contains("is locked by", StringComparison.Ordinal)) verdict.AppendLine("the next up stopped on the stale lock");
            if (killed.Killed && !again.Err.Contains("took over the lock", StringComparison.Ordinal))
            {
                verdict.AppendLine("the next up did not say it took over the dead run's lock:\n" + again.Err);
            }
            var difference = Compare(expected, actual);
            if (difference is not null) verdict.AppendLine(difference);
            var check = await LlmctlRun.RunAsync(project["dir"], project.Where(kv => kv.Key != "dir").ToDictionary(),
                ["preview", "--expect-no-changes", "-s", "homelab"], null, _ct);
            if (check.ExitCode != 0) verdict.AppendLine($"a preview after convergence still shows changes (exit {check.ExitCode}):\n{check.Out}");
            report.Add(trial, killAfter, killed, again, verdict.ToString());
        }
        return report;
    }

    /// <summary>
    /// What must match between two runs: everything but what the server stamps (uid, times, versions, status, and a
    /// Service's allocated cluster IP, which depends on the order of creation).
    /// </summary>
    private static JsonArray Normalize(JsonArray objects)
    {
        var result = new JsonArray();
        foreach (var o in objects.Select(o => (JsonObject)o!.DeepClone()))
        {
            o.Remove("status");
            if (o["kind"]?.GetValue<string>() == "Service" && o["spec"] is JsonObject spec)
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }
            if (o["metadata"] is JsonObject meta)
            {
                foreach (var key in new[] { "uid", "resourceVersion", "creationTimestamp", "generation" }) meta.Remove(key);
                if (meta["managedFields"] is JsonArray fields)
                {
                    foreach (var f in fields.OfType<JsonObject>()) f.Remove("time");
                }
            }
            result.Add(o);
        }
        return result;
    }

    private static string? Compare(JsonArray expected, JsonArray actual)
    {
        static string Key(JsonNode? o) => $"{o!["apiVersion"]}/{o["kind"]} {o["metadata"]?["namespace"]}/{o["metadata"]?["name"]}";
        var want = expected.ToDictionary(Key, o => o!.ToJsonString());
        var got = actual.ToDictionary(Key, o => o!.ToJsonString());
        var problems = new List<string>();
        problems.AddRange(want.Keys.Except(got.Keys).Select(k => $"missing: {k}"));
        problems.AddRange(got.Keys.Except(want.Keys).Select(k => $"extra: {k}"));
        problems.AddRange(want.Keys.Intersect(got.Keys).Where(k => want[k] != got[k]).Select(k => $"differs: {k}\n  want {want[k]}\n  got  {got[k]}"));
        return problems.Count == 0 ? null : string.Join("\n", problems);
    }

    private sealed class KillReport(int trials)
    {
        private readonly List<string> _rows = [];
        public List<string> Failures { get; } = [];
        public int Objects { get; set; }

        public void Add(int trial, int killAfter, LlmctlRun killed, LlmctlRun again, string verdict)
        {
            var ok = verdict.Length == 0;
            _rows.Add($"| {trial + 1} | {killAfter} | {(killed.Killed ? "SIGKILL" : $"exit {killed.ExitCode}")} | {again.ExitCode} | {(ok ? "yes" : "**no**")} |");
            if (!ok) Failures.Add($"trial {trial + 1} (killed after step {killAfter} began): {verdict}");
        }

        public string ToMarkdown() =>
            $"""
            Trials: {trials}; objects in the uninterrupted run: {Objects}; converged: {trials - Failures.Count} of {trials}.

            | trial | killed after step | first run | next `up` exit | converged (same objects, no changes) |
            |---|---|---|---|---|
            {string.Join("\n", _rows)}
            {(Failures.Count == 0 ? "" : "\nFailures:\n\n" + string.Join("\n\n", Failures))}
            """;
    }
}
