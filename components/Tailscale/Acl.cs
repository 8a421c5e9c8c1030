using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tailscale;

/// <summary>
/// The tailnet policy file, one per tailnet. Writes carry the ETag of llmctl's last read or write in
/// <c>If-Match</c>, so a change made meanwhile (admin console, another tool) is never overwritten: the update fails
/// and says to refresh. Deleting the resource leaves the policy file as it is.
/// </summary>
public sealed class Acl : CustomResource
{
    public const string TypeToken = TailscaleTypes.Acl;

    public Acl(string name, AclArgs args, CustomResourceOptions? options = null)
        : base(TypeToken, name, ToInputs(args), options)
    {
    }

    /// <summary>The ETag of the policy file as llmctl last wrote or read it.</summary>
    public Output<string> ETag => GetOutput<string>("etag");

    private static JsonObject ToInputs(AclArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrWhiteSpace(args.Policy, nameof(args.Policy));
        return new JsonObject
        {
            ["acl"] = args.Policy,
            ["overwriteExistingContent"] = args.OverwriteExistingContent,
            ["validate"] = args.Validate,
        };
    }
}
