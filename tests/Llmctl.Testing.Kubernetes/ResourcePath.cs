namespace Llmctl.Testing.Kubernetes;

/// <summary>
/// A request path taken apart: <c>/api/v1/…</c> or <c>/apis/{group}/{version}/…</c>, then
/// <c>[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]</c>.
/// </summary>
internal sealed record ResourcePath(string Group, string Version, string? Namespace, string Plural, string? Name, string? Subresource)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static ResourcePath? Parse(string path)
    {
        var s = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        string group, version;
        int at;
        if (s.Length >= 3 && s[0] == "api") (group, version, at) = ("", s[1], 2);
        else if (s.Length >= 4 && s[0] == "apis") (group, version, at) = (s[1], s[2], 3);
        else return null;
        var rest = s[at..];
        // namespaces/{name}/status|finalize is the Namespace's own subresource, not a collection inside it.
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            return new ResourcePath(group, version, rest[1], rest[2], rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4));
        }
        return new ResourcePath(group, version, null, rest[0], rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
    }
}
