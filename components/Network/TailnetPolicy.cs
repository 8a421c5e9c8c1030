using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Llmctl.Components.Network;

/// <summary>
/// The tailnet policy file for a k3s cluster, generated from typed arguments. The same arguments always give the same
/// text (keys in a fixed order, owners and extra tags sorted), so a preview shows a change only when one was made.
/// </summary>
public static partial class TailnetPolicy
{
    public const int ApiServerPort = 6443;
    public const int FlannelVxlanPort = 8472;
    public const int KubeletPort = 10250;
    public const int SshPort = 22;

    /// <summary>The generated rules: what k3s needs between nodes, and what operators need to reach them.</summary>
    public static IReadOnlyList<TailnetAclRule> ClusterRules(TailnetArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var tag = args.NodeTag;
        var rules = new List<TailnetAclRule>
        {
            new([tag], [$"{tag}:{ApiServerPort}"], TailnetProto.Tcp),
            new([tag], [$"{tag}:{FlannelVxlanPort}"], TailnetProto.Udp),
            new([tag], [$"{tag}:{KubeletPort}"], TailnetProto.Tcp),
        };
        if (args.VpnAuth) rules.Add(new TailnetAclRule([tag], [$"{args.PodCidr}:*"]));
        if (args.Operators.Count > 0)
        {
            rules.Add(new TailnetAclRule(Sorted(args.Operators), [$"{tag}:{ApiServerPort}", $"{tag}:{SshPort}"], TailnetProto.Tcp));
        }
        return rules;
    }

    /// <summary>The whole policy file as indented JSON.</summary>
    public static string Json(TailnetArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var tagOwners = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [args.NodeTag] = Sorted(args.TagOwners),
        };
        foreach (var (extraTag, owners) in args.ExtraTagOwners)
        {
            tagOwners[extraTag] = tagOwners.TryGetValue(extraTag, out var existing) ? Sorted([.. existing, .. owners]) : Sorted(owners);
        }

        var rules = new List<TailnetAclRule>(ClusterRules(args));
        foreach (var extra in args.ExtraAcls)
        {
            if (!rules.Any(r => Same(r, extra))) rules.Add(extra);
        }

        var policy = new JsonObject
        {
            ["tagOwners"] = new JsonObject(tagOwners.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Array(kv.Value)))),
            ["acls"] = new JsonArray([.. rules.Select(Rule)]),
        };
        if (args.VpnAuth)
        {
            policy["autoApprovers"] = new JsonObject
            {
                ["routes"] = new JsonObject { [args.PodCidr] = Array([args.NodeTag]) },
            };
        }
        return policy.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Problems with the arguments, each naming the argument.</summary>
    public static List<ArgumentProblem> Validate(TailnetArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<ArgumentProblem>();
        if (!IsTag(args.NodeTag)) problems.Add(new ArgumentProblem("nodeTag", $"'{args.NodeTag}' is not a Tailscale tag; write 'tag:' and a name of letters, digits and '-' (tag:k3s)"));
        if (args.TagOwners.Count == 0) problems.Add(new ArgumentProblem("tagOwners", "name at least one owner of the node tag (autogroup:admin, a user or a group); an unowned tag cannot be put on a key"));
        if (args.KeyExpiry < TimeSpan.FromDays(1) || args.KeyExpiry > TimeSpan.FromDays(90))
        {
            problems.Add(new ArgumentProblem("keyExpiry", $"{args.KeyExpiry.TotalDays:0.##} days is outside what Tailscale allows for an auth key (1 to 90 days)"));
        }
        if (!IPNetwork.TryParse(args.PodCidr, out var cidr) || cidr.ToString() != args.PodCidr)
        {
            problems.Add(new ArgumentProblem("podCidr", $"'{args.PodCidr}' is not a network in CIDR form with its host bits zero (10.42.0.0/16)"));
        }
        foreach (var tag in args.ExtraTagOwners.Keys.Where(t => !IsTag(t)))
        {
            problems.Add(new ArgumentProblem($"extraTagOwners.{tag}", $"'{tag}' is not a Tailscale tag (tag:name)"));
        }
        for (var i = 0; i < args.ExtraAcls.Count; i++)
        {
            var rule = args.ExtraAcls[i];
            if (rule.Action != "accept") problems.Add(new ArgumentProblem($"extraAcls[{i}].action", $"'{rule.Action}' is not an action of the policy file; only 'accept' exists (everything else is denied)"));
            if (rule.Src.Count == 0) problems.Add(new ArgumentProblem($"extraAcls[{i}].src", "name at least one source"));
            if (rule.Dst.Count == 0) problems.Add(new ArgumentProblem($"extraAcls[{i}].dst", "name at least one destination"));
            foreach (var dst in rule.Dst.Where(d => !HostPort().IsMatch(d)))
            {
                problems.Add(new ArgumentProblem($"extraAcls[{i}].dst", $"'{dst}' is not host:ports; write e.g. 'tag:k3s:443', 'group:ops:*' or '10.42.0.0/16:80,443'"));
            }
        }
        return problems;
    }

    private static bool IsTag(string tag) => TagName().IsMatch(tag ?? "");

    private static JsonObject Rule(TailnetAclRule rule)
    {
        var o = new JsonObject
        {
            ["action"] = rule.Action,
            ["src"] = Array(rule.Src),
            ["dst"] = Array(rule.Dst),
        };
        if (rule.Proto != TailnetProto.Any) o["proto"] = rule.Proto.ToString().ToLowerInvariant();
        return o;
    }

    private static bool Same(TailnetAclRule a, TailnetAclRule b) =>
        a.Action == b.Action && a.Proto == b.Proto && a.Src.SequenceEqual(b.Src) && a.Dst.SequenceEqual(b.Dst);

    private static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(s => (JsonNode?)JsonValue.Create(s))]);

    private static string[] Sorted(IEnumerable<string> items) => [.. items.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    [GeneratedRegex("^tag:[A-Za-z][A-Za-z0-9-]*$")]
    private static partial Regex TagName();

    [GeneratedRegex(@"^\S+:(\*|\d+(-\d+)?(,\d+(-\d+)?)*)$")]
    private static partial Regex HostPort();
}
