using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Tests.Gpu;

public sealed class NvidiaRuntimeTests
{
    [Fact]
    public void The_runtime_class_is_named_nvidia_with_the_handler_k3s_registers()
    {
        NvidiaRuntime? runtime = null;
        StackContext.Run("llm-platform", "homelab", _ => runtime = new NvidiaRuntime("nvidia"));

        var rc = runtime!.RuntimeClass;
        Assert.Equal(("nvidia", "nvidia"), (rc.Object.Metadata.Name, rc.Object.Handler));
        Assert.Equal("urn:pulumi:homelab::llm-platform::llmctl:gpu:NvidiaRuntime$kubernetes:node.k8s.io/v1:RuntimeClass::nvidia", rc.Urn.Value);
        Assert.Equal(new RuntimeHandler("nvidia", "nvidia", GpuVendor.Nvidia), rc.Annotations.Find<RuntimeHandler>());
        Assert.Equal("nvidia", (string?)rc.Inputs["handler"]);
    }

    [Fact]
    public void The_runtime_class_is_retained_on_delete_because_k3s_may_own_it()
    {
        NvidiaRuntime? runtime = null;
        StackContext.Run("llm-platform", "homelab", _ => runtime = new NvidiaRuntime("nvidia"));

        Assert.True(runtime!.RuntimeClass.RetainOnDelete);
    }

    [Fact]
    public void An_invalid_handler_name_is_refused_with_the_rule()
    {
        var ex = Assert.Throws<Components.ComponentArgumentException>(() =>
            StackContext.Run("p", "s", _ => new NvidiaRuntime("nvidia", new NvidiaRuntimeArgs { Handler = "Nvidia_CDI" })));

        Assert.Equal("handler", Assert.Single(ex.Problems).Argument);
        Assert.Contains("DNS-1123", ex.Message);
    }
}
