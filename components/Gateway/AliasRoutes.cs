using Llmctl.Engine.Model;

namespace Llmctl.Components.Gateway;

/// <summary>
/// The gateway's aliases and the lanes each may reach (<c>gateway.aliases[].lanes</c>), whatever their runtime. The
/// gateway routes an alias to the running one; the alias-backends policy checks that there is exactly one.
/// </summary>
public sealed record AliasRoutes(IReadOnlyList<AliasRoute> Routes) : IResourceAnnotation;

/// <summary>Alias <paramref name="Alias"/> (what clients send as <c>model</c>) and the lanes behind it.</summary>
public sealed record AliasRoute(string Alias, IReadOnlyList<string> Lanes);
