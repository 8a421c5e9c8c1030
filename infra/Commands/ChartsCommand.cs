using System.CommandLine;
using Llmctl.Engine.Model;
using Llmctl.Infra.Cli;
using Llmctl.Providers.Helm;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl charts pull</c>: downloads every chart the stack installs into the local chart cache, verified against
/// <c>charts.lock.yaml</c>; a chart whose digest differs from the lock is refused (exit 1). <c>--update-lock</c>
/// records the digest of charts the lock has none for; <c>--mirror</c> fetches every chart from one repository.
/// </summary>
internal static class ChartsCommand
{
    public static Command Build(CliContext cli)
    {
        var updateLock = new Option<bool>("--update-lock") { Description = "Record the downloaded digest of every chart charts.lock.yaml has no digest for" };
        var mirror = new Option<string?>("--mirror") { Description = "Fetch every chart from this classic Helm repository (an air-gapped mirror) instead of its own" };
        var pull = new Command("pull", "Download the stack's charts into the local cache, verified against charts.lock.yaml") { updateLock, mirror };
        pull.SetAction((parse, ct) => PullAsync(cli, parse, parse.GetValue(updateLock), parse.GetValue(mirror), ct));
        return new Command("charts", "The Helm charts the stack installs: lock and cache") { pull };
    }

    private static async Task<int> PullAsync(CliContext cli, ParseResult parse, bool updateLock, string? mirror, CancellationToken ct)
    {
        if (mirror is not null && !(Uri.TryCreate(mirror, UriKind.Absolute, out var m) && m.Scheme is "http" or "https"))
        {
            throw new CliException(ExitCodes.ConfigOrUsage, $"--mirror '{mirror}' is not a chart repository URL; write https://…");
        }
        var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
        var desired = ws.Compose(isPreview: true);
        var charts = desired.Resources.OfType<CustomResource>().Where(r => r.Type == ChartExpander.HelmChartType)
            .Select(ChartExpander.ChartOf).Distinct().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var lockFile = ChartSetup.LoadLock(ws);
        var cache = ChartSetup.Cache(cli);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var puller = new ChartPuller(new ChartRepositoryClient(http, ChartSetup.Helm(cli)), cache, lockFile);
        var results = new List<PullResult>();
        foreach (var (name, repository, version) in charts)
        {
            var result = await puller.PullAsync(name, repository, version, updateLock, mirror, ct);
            results.Add(result);
            var line = $"{result.Outcome.ToString().ToLowerInvariant(),-9} {name} {version} ({repository}): {result.Message}";
            if (result.Outcome is PullOutcome.Refused or PullOutcome.Failed) cli.Err.WriteLine($"error: {line}");
            else if (result.Outcome is PullOutcome.Unlocked) cli.Err.WriteLine($"warning: {line}");
            else cli.Out.WriteLine(line);
        }
        if (results.Any(r => r.Outcome == PullOutcome.Locked)) lockFile.Save(ChartSetup.LockPath(ws));
        cli.Out.WriteLine($"{results.Count(r => r.Outcome is PullOutcome.Verified or PullOutcome.Locked)} verified, "
            + $"{results.Count(r => r.Outcome == PullOutcome.Unlocked)} unlocked, {results.Count(r => r.Outcome is PullOutcome.Refused or PullOutcome.Failed)} failed; cache: {cache.Root}");
        return results.Any(r => r.Outcome is PullOutcome.Refused or PullOutcome.Failed) ? ExitCodes.Error : ExitCodes.Ok;
    }
}
