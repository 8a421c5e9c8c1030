namespace Llmctl.Engine.Model;

/// <summary>Type tokens are <c>&lt;package&gt;:&lt;module&gt;:&lt;Type&gt;</c>, e.g. <c>kubernetes:apps/v1:Deployment</c>.</summary>
public static class TypeToken
{
    public static bool IsValid(string token)
    {
        var parts = token.Split(':');
        return parts.Length == 3 && parts.All(p => p.Length > 0) && !token.Contains('$') && !token.Contains("::", StringComparison.Ordinal);
    }

    /// <summary>The package part, which picks the provider (<c>kubernetes</c>, <c>command</c>, <c>tailscale</c>).</summary>
    public static string Package(string token) => token[..token.IndexOf(':')];
}
