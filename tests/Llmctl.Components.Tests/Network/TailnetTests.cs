using System.Text.Json.Nodes;
using Llmctl.Components.Network;
using Llmctl.Engine.Model;
using Llmctl.Components.Tailscale;

namespace Llmctl.Components.Tests.Network;

public sealed class TailnetTests
{
    private static Tailnet Build(TailnetArgs? args = null)
    {
        Tailnet? tailnet = null;
        StackContext.Run("llm-platform", "fleet", _ => tailnet = new Tailnet("fleet", args));
        return tailnet!;
    }

    private static JsonObject Policy(Tailnet tailnet) => JsonNode.Parse(tailnet.Policy.Inputs["acl"]!.GetValue<string>())!.AsObject();

    private static List<(string Src, string Dst, string? Proto)> Rules(JsonObject policy) =>
        [.. policy["acls"]!.AsArray().Select(r => (
            string.Join(",", r!["src"]!.AsArray().Select(s => s!.GetValue<string>())),
            string.Join(",", r["dst"]!.AsArray().Select(s => s!.GetValue<string>())),
            r["proto"]?.GetValue<string>()))];

    [Fact]
    public void The_policy_file_lets_nodes_reach_each_others_api_server_vxlan_and_kubelet_by_tag()
    {
        var rules = Rules(Policy(Build()));

        Assert.Contains(("tag:k3s", "tag:k3s:6443", "tcp"), rules);
        Assert.Contains(("tag:k3s", "tag:k3s:8472", "udp"), rules);
        Assert.Contains(("tag:k3s", "tag:k3s:10250", "tcp"), rules);
        Assert.Contains(("autogroup:admin", "tag:k3s:6443,tag:k3s:22", "tcp"), rules);
    }

    [Fact]
    public void The_node_tag_has_an_owner_so_a_tagged_key_can_be_created()
    {
        var owners = Policy(Build())["tagOwners"]!["tag:k3s"]!.AsArray().Select(o => o!.GetValue<string>());

        Assert.Equal(["autogroup:admin"], owners);
    }

    [Fact]
    public void With_vpn_auth_the_pod_cidr_is_auto_approved_for_the_node_tag_and_reachable_from_it()
    {
        var policy = Policy(Build(new TailnetArgs { VpnAuth = true, PodCidr = "10.42.0.0/16" }));

        Assert.Equal(["tag:k3s"], policy["autoApprovers"]!["routes"]!["10.42.0.0/16"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Contains(("tag:k3s", "10.42.0.0/16:*", null), Rules(policy));
    }

    [Fact]
    public void Without_vpn_auth_no_routes_are_auto_approved()
    {
        var policy = Policy(Build());

        Assert.Null(policy["autoApprovers"]);
        Assert.DoesNotContain(Rules(policy), r => r.Dst.StartsWith("10.42.", StringComparison.Ordinal));
    }

    [Fact]
    public void Extra_rules_follow_the_generated_ones_and_a_repeat_of_a_generated_rule_is_dropped()
    {
        var policy = Policy(Build(new TailnetArgs
        {
            ExtraAcls =
            [
                new TailnetAclRule(["group:family"], ["tag:k3s:443"], TailnetProto.Tcp),
                new TailnetAclRule(["tag:k3s"], ["tag:k3s:6443"], TailnetProto.Tcp),
            ],
            ExtraTagOwners = new Dictionary<string, IReadOnlyList<string>> { ["tag:gpu"] = ["group:ops", "autogroup:admin"] },
        }));

        var rules = Rules(policy);
        Assert.Equal(("group:family", "tag:k3s:443", "tcp"), rules[^1]);
        Assert.Single(rules, r => r == ("tag:k3s", "tag:k3s:6443", "tcp"));
        Assert.Equal(["autogroup:admin", "group:ops"], policy["tagOwners"]!["tag:gpu"]!.AsArray().Select(o => o!.GetValue<string>()));
    }

    [Fact]
    public void The_same_arguments_always_give_the_same_policy_text()
    {
        var a = new TailnetArgs { TagOwners = ["user@example.com", "autogroup:admin"], VpnAuth = true };
        var b = new TailnetArgs { TagOwners = ["autogroup:admin", "user@example.com"], VpnAuth = true };

        Assert.Equal(TailnetPolicy.Json(a), TailnetPolicy.Json(b));
        Assert.Equal(Build(a).PolicyJson, TailnetPolicy.Json(a));
    }

    [Fact]
    public void The_join_key_is_reusable_preauthorized_tagged_and_expires_and_waits_for_the_policy_file()
    {
        var tailnet = Build(new TailnetArgs { KeyExpiry = TimeSpan.FromDays(30) });
        var key = tailnet.Key.Inputs;

        Assert.True(key["reusable"]!.GetValue<bool>());
        Assert.True(key["preauthorized"]!.GetValue<bool>());
        Assert.False(key["ephemeral"]!.GetValue<bool>());
        Assert.Equal(["tag:k3s"], key["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(30 * 24 * 3600, key["expiry"]!.GetValue<int>());
        Assert.Contains(tailnet.Policy, tailnet.Key.Dependencies);
        Assert.Equal("urn:pulumi:fleet::llm-platform::llmctl:network:Tailnet$tailscale:index/tailnetKey:TailnetKey::fleet-join", tailnet.Key.Urn.Value);
    }

    [Fact]
    public void The_join_key_output_is_secret()
    {
        var tailnet = Build();
        var source = new FakeOutputs { [tailnet.Key] = new JsonObject { ["key"] = "tskey-auth-abc123" } };

        var data = tailnet.JoinKey.Resolve(source);

        Assert.True(data.IsKnown);
        Assert.True(data.IsSecret);
        Assert.Equal("tskey-auth-abc123", data.Value);
    }

    [Fact]
    public void Bad_arguments_are_reported_together_naming_each_argument()
    {
        var error = Assert.Throws<ComponentArgumentException>(() => Build(new TailnetArgs
        {
            NodeTag = "k3s",
            KeyExpiry = TimeSpan.FromDays(120),
            PodCidr = "10.42.0.1/16",
            TagOwners = [],
            ExtraAcls = [new TailnetAclRule(["tag:k3s"], ["tag:k3s"]) { Action = "deny" }],
        }));

        Assert.Equal(["nodeTag", "tagOwners", "keyExpiry", "podCidr", "extraAcls[0].action", "extraAcls[0].dst"],
            error.Problems.Select(p => p.Argument));
        Assert.Contains("llmctl:network:Tailnet 'fleet'", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Outputs of resources as if they had been applied.</summary>
internal sealed class FakeOutputs : Dictionary<Resource, JsonObject>, IOutputSource
{
    public JsonObject? OutputsOf(Resource resource) => TryGetValue(resource, out var outputs) ? outputs : null;
}
