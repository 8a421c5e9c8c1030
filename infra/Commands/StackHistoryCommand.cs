using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl stack history</c>, as <c>pulumi stack history</c>: every update, refresh, destroy and stack import of the
/// stack, newest first, with when it started and ended, how it ended and how many resources each operation touched.
/// <c>--json</c> prints Pulumi's fields (<c>version</c>, <c>kind</c>, <c>startTime</c>, <c>message</c>, <c>result</c>,
/// <c>endTime</c>, <c>resourceChanges</c>).
/// </summary>
internal static class StackHistoryCommand
{
    public static Command Build(CliContext cli)
    {
        var json = new Option<bool>("--json", "-j") { Description = "Print JSON" };
        var command = new Command("history", "Show the stack's updates, refreshes, destroys and imports, newest first") { json };
        command.SetAction(async (parse, ct) =>
        {
            var ws = StackWorkspace.Open(cli, parse);
            var records = await ws.Backend.HistoryAsync(ws.Project, ws.Stack, ct);
            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(new JsonArray(records.Select(r => (JsonNode)r.ToJson()).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }
            if (records.Count == 0)
            {
                cli.Out.WriteLine($"Stack '{ws.Stack}' has no history yet.");
                return ExitCodes.Ok;
            }
            foreach (var r in records)
            {
                cli.Out.WriteLine($"Version: {r.Version}");
                cli.Out.WriteLine($"UpdateKind: {r.Kind}");
                cli.Out.WriteLine($"Status: {r.Result}");
                if (r.Message.Length > 0) cli.Out.WriteLine($"Message: {r.Message}");
                cli.Out.WriteLine("Resource changes: " + (r.ResourceChanges.Count == 0
                    ? "none"
                    : string.Join(", ", r.ResourceChanges.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))));
                cli.Out.WriteLine($"Started: {r.StartTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
                cli.Out.WriteLine($"Ended: {r.EndTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({(r.EndTime - r.StartTime).TotalSeconds:0.#}s)");
                cli.Out.WriteLine();
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
