namespace Llmctl.Engine.Model;

/// <summary>Type tokens are <c>&lt;package&gt;:&lt;module&gt;:&lt;Type&gt;</c>, e.g. <c>kubernetes:apps/v1:Deployment</c>.</summary>
public static class TypeToken
{
    public static bool IsValid(string token)
    {
        // Three non-empty parts split by ':', no '$' (read without splitting: every resource's token is checked).
        var span = token.AsSpan();
        var first = span.IndexOf(':');
        if (first <= 0) return false;
        var rest = span[(first + 1)..];
        var second = rest.IndexOf(':');
        return second > 0 && second < rest.Length - 1 && !rest[(second + 1)..].Contains(':') && !span.Contains('$');
    }

    /// <summary>The package part, which picks the provider (<c>kubernetes</c>, <c>command</c>, <c>tailscale</c>).</summary>
    public static string Package(string token) => token[..token.IndexOf(':')];
}
