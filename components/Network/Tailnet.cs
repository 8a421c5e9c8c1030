using Llmctl.Engine.Model;
using Llmctl.Components.Tailscale;

namespace Llmctl.Components.Network;

/// <summary>
/// The tailnet side of a k3s cluster joined over Tailscale: the policy file (<see cref="Acl"/>) with the rules k3s
/// needs between nodes, and a reusable, pre-authorised join key (<see cref="TailnetKey"/>) tagged with the node tag.
/// The key is created after the policy file, because Tailscale refuses a tagged key whose tag has no owner yet.
/// </summary>
public sealed class Tailnet : ComponentResource
{
    public const string TypeToken = "llmctl:network:Tailnet";

    public Tailnet(string name, TailnetArgs? args = null, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Args = args ?? new TailnetArgs();
        ComponentArgumentException.ThrowIfAny(this, TailnetPolicy.Validate(Args));

        PolicyJson = TailnetPolicy.Json(Args);
        Policy = new Acl($"{name}-policy", new AclArgs
        {
            Policy = PolicyJson,
            OverwriteExistingContent = Args.OverwriteExistingPolicy,
        }, new CustomResourceOptions { Parent = this });

        Key = new TailnetKey($"{name}-join", new TailnetKeyArgs
        {
            Reusable = Args.Reusable,
            Preauthorized = Args.Preauthorized,
            Ephemeral = Args.Ephemeral,
            Tags = [Args.NodeTag],
            Expiry = (int)Args.KeyExpiry.TotalSeconds,
            Description = "llmctl-k3s-join",
        }, new CustomResourceOptions { Parent = this, DependsOn = [Policy] });

        RegisterOutputs(new Dictionary<string, object?>
        {
            // Not the join key: a component output read from its own child makes the parent depend on the child.
            ["nodeTag"] = Args.NodeTag,
        });
    }

    public TailnetArgs Args { get; }
    public string PolicyJson { get; }
    public Acl Policy { get; }
    public TailnetKey Key { get; }
    public string NodeTag => Args.NodeTag;
    /// <summary>The auth key nodes join with (<c>tskey-auth-…</c>); always secret.</summary>
    public Output<string> JoinKey => Key.Key;
}
