namespace Llmctl.Testing;

/// <summary>Kubeconfigs for test servers.</summary>
public static class Kubeconfigs
{
    /// <summary>A kubeconfig whose only context, <paramref name="context"/>, points at <paramref name="url"/> with a bearer token.</summary>
    public static string For(string url, string context) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {context}
          cluster:
            server: {url}
        contexts:
        - name: {context}
          context:
            cluster: {context}
            user: {context}
        current-context: {context}
        users:
        - name: {context}
          user:
            token: fake-token
        """;
}
