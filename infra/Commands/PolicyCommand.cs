using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llmctl.Engine.Policy;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary><c>llmctl policy ls</c>: the packs, their policies and the level each runs at for this stack.</summary>
internal static class PolicyCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Build(CliContext cli)
    {
        var policy = new Command("policy", "Inspect the policy packs that guard every preview and up");
        var json = new Option<bool>("--json", "-j") { Description = "Print JSON" };
        var ls = new Command("ls", "List the policy packs and policies, with the level each runs at for the stack") { json };
        ls.SetAction(parse => List(cli, parse, parse.GetValue(json)));
        policy.Subcommands.Add(ls);
        return policy;
    }

    private static int List(CliContext cli, ParseResult parse, bool json)
    {
        var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
        var runner = Stacks.StackPolicies.Runner(ws.Loaded, StackLaneFit.For(ws));
        var settings = Stacks.StackPolicies.Read(ws.Loaded);
        if (json)
        {
            var packs = new JsonArray();
            foreach (var pack in runner.Policies.GroupBy(p => (p.PackName, p.PackVersion)))
            {
                packs.Add((JsonNode)new JsonObject
                {
                    ["name"] = pack.Key.PackName,
                    ["version"] = pack.Key.PackVersion,
                    ["policies"] = new JsonArray(pack.Select(p => (JsonNode)new JsonObject
                    {
                        ["name"] = p.Policy.Name,
                        ["kind"] = Kind(p.Policy),
                        ["enforcementLevel"] = Level(p.Level),
                        ["description"] = p.Policy.Description,
                        ["options"] = settings.Policies.TryGetValue(p.Policy.Name, out var entry) ? entry.Options?.DeepClone() : null,
                    }).ToArray()),
                });
            }
            cli.Out.WriteLine(new JsonObject { ["stack"] = ws.Stack, ["policyPacks"] = packs }.ToJsonString(Indented));
            return ExitCodes.Ok;
        }
        foreach (var pack in runner.Policies.GroupBy(p => (p.PackName, p.PackVersion)))
        {
            cli.Out.WriteLine($"{pack.Key.PackName} v{pack.Key.PackVersion} (stack {ws.Stack})");
            var width = pack.Max(p => p.Policy.Name.Length);
            foreach (var p in pack)
            {
                var options = settings.Policies.TryGetValue(p.Policy.Name, out var entry) && entry.Options is { Count: > 0 } o
                    ? "  options: " + string.Join(", ", o.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString().Trim('"')}"))
                    : "";
                cli.Out.WriteLine($"    {p.Policy.Name.PadRight(width)}  {Level(p.Level),-9}  {Kind(p.Policy),-8}  {p.Policy.Description}{options}");
            }
        }
        return ExitCodes.Ok;
    }

    private static string Level(EnforcementLevel level) => level.ToString().ToLowerInvariant();

    private static string Kind(IPolicy policy) => policy switch
    {
        IPlanPolicy => "plan",
        IStackPolicy => "stack",
        _ => "resource",
    };
}
