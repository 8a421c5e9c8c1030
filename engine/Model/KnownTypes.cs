namespace Llmctl.Engine.Model;

// The type tokens of the resource families llmctl ships a provider for, beside TypeToken (whose package part picks the
// provider). Their resource types live with the components (components/Command, components/Tailscale) and their
// providers under providers/; both meet here, so neither references the other — components stay free of SSH.NET and
// Polly, and a provider needs no component to know what it serves. The tokens are Pulumi's, so state and previews
// read as a Pulumi user expects.

/// <summary>Pulumi.Command's type tokens (package <c>command</c>).</summary>
public static class CommandTypes
{
    public const string Package = "command";
    public const string RemoteCommand = "command:remote:Command";
    public const string LocalCommand = "command:local:Command";
    public const string CopyToRemote = "command:remote:CopyToRemote";
}

/// <summary>Pulumi.Tailscale's type tokens (package <c>tailscale</c>).</summary>
public static class TailscaleTypes
{
    public const string Package = "tailscale";
    public const string TailnetKey = "tailscale:index/tailnetKey:TailnetKey";
    public const string Acl = "tailscale:index/acl:Acl";
    public const string DeviceTags = "tailscale:index/deviceTags:DeviceTags";
}
