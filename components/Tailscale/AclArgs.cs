namespace Llmctl.Components.Tailscale;

/// <summary>Inputs of an <see cref="Acl"/>, named as Pulumi.Tailscale's <c>AclArgs</c>.</summary>
public sealed record AclArgs
{
    /// <summary>The whole tailnet policy file (acls, groups, tagOwners, tests, …) as JSON or HuJSON.</summary>
    public required string Policy { get; init; }
    /// <summary>
    /// Take over a policy file someone already edited. Without it, the first apply only replaces the tailnet's
    /// untouched default (<c>If-Match: "ts-default"</c>).
    /// </summary>
    public bool OverwriteExistingContent { get; init; }
    /// <summary>Validate the file (syntax and its <c>tests</c>) with <c>POST …/acl/validate</c> before writing it.</summary>
    public bool Validate { get; init; } = true;
}
