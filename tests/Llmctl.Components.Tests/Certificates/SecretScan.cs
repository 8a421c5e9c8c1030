using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Certificates;

/// <summary>Checks a whole stack: secret values appear only inside secret wrappers, and only in v1 Secrets.</summary>
internal static class SecretScan
{
    public static void AssertNoPlainText(StackContext ctx, params string[] secretValues)
    {
        foreach (var resource in ctx.Resources.OfType<CustomResource>())
        {
            var resolved = ctx.ResolveOutputs(resource.Inputs, NoOutputsKnown.Instance);
            // With every secret wrapper replaced by [secret], no secret value may be left anywhere.
            var redacted = PropertyValues.Redact(resolved)!.ToJsonString();
            foreach (var value in secretValues) Assert.DoesNotContain(value, redacted, StringComparison.Ordinal);
            if (resource.Type != "kubernetes:core/v1:Secret")
            {
                Assert.False(PropertyValues.ContainsSecrets(resolved), $"{resource.Urn} is not a Secret but holds a secret value");
            }
        }
    }
}
