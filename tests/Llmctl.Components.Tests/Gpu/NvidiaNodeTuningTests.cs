using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Engine.Model;
using Llmctl.Components.Command;

namespace Llmctl.Components.Tests.Gpu;

public sealed class NvidiaNodeTuningTests
{
    private static readonly Connection Ssh = new() { Host = "gpu-worker.tailnet", User = "root", HostKey = "SHA256:abc" };

    private static NvidiaNodeTuning Build(NvidiaNodeTuningArgs args)
    {
        NvidiaNodeTuning? tuning = null;
        StackContext.Run("llm-platform", "homelab", _ => tuning = new NvidiaNodeTuning("gpu-worker", args));
        return tuning!;
    }

    [Fact]
    public void Create_and_update_set_persistence_mode_and_the_power_limit()
    {
        var tuning = Build(new() { Connection = Ssh, PowerLimitWatts = 60 });

        Assert.Equal("nvidia-smi -pm 1 && nvidia-smi -pl 60", tuning.Command.Inputs["create"]!.GetValue<string>());
        Assert.Equal("nvidia-smi -pm 1 && nvidia-smi -pl 60", tuning.Command.Inputs["update"]!.GetValue<string>());
    }

    [Fact]
    public void Delete_turns_persistence_off_and_restores_each_GPUs_default_limit_read_from_the_driver()
    {
        var tuning = Build(new() { Connection = Ssh, PowerLimitWatts = 60 });

        Assert.Equal(
            "nvidia-smi -pm 0 && nvidia-smi --query-gpu=index,power.default_limit --format=csv,noheader,nounits"
            + " | while IFS=', ' read -r i w; do nvidia-smi -i \"$i\" -pl \"$w\" || exit 1; done",
            tuning.Command.Inputs["delete"]!.GetValue<string>());
    }

    [Fact]
    public void Delete_restores_a_configured_default_limit_when_one_is_given()
    {
        var tuning = Build(new() { Connection = Ssh, PowerLimitWatts = 60, DefaultPowerLimitWatts = 70 });

        Assert.Equal("nvidia-smi -pm 0 && nvidia-smi -pl 70", tuning.DeleteCommand);
    }

    [Fact]
    public void One_GPU_by_index_through_sudo()
    {
        var tuning = Build(new() { Connection = Ssh with { User = "ops" }, PowerLimitWatts = 250, DefaultPowerLimitWatts = 300, GpuIndex = 1, Sudo = true });

        Assert.Equal("sudo -n nvidia-smi -i 1 -pm 1 && sudo -n nvidia-smi -i 1 -pl 250", tuning.CreateCommand);
        Assert.Equal("sudo -n nvidia-smi -i 1 -pm 0 && sudo -n nvidia-smi -i 1 -pl 300", tuning.DeleteCommand);
    }

    [Fact]
    public void Persistence_mode_alone_leaves_the_power_limit_untouched()
    {
        var tuning = Build(new() { Connection = Ssh });

        Assert.Equal(("nvidia-smi -pm 1", "nvidia-smi -pm 0"), (tuning.CreateCommand, tuning.DeleteCommand));
    }

    [Fact]
    public void A_power_limit_alone_leaves_persistence_mode_untouched()
    {
        var tuning = Build(new() { Connection = Ssh, PersistenceMode = false, PowerLimitWatts = 60, DefaultPowerLimitWatts = 70 });

        Assert.Equal(("nvidia-smi -pl 60", "nvidia-smi -pl 70"), (tuning.CreateCommand, tuning.DeleteCommand));
    }

    [Fact]
    public void The_settings_are_triggers_and_the_command_is_deleted_before_it_is_replaced()
    {
        var tuning = Build(new() { Connection = Ssh, PowerLimitWatts = 60 });

        Assert.Equal("command:remote:Command", tuning.Command.Type);
        Assert.True(JsonNode.DeepEquals(new JsonArray(true, 60, null, null), tuning.Command.Inputs["triggers"]), tuning.Command.Inputs["triggers"]!.ToJsonString());
        Assert.True(tuning.Command.Options.DeleteBeforeReplace);
        Assert.Contains("triggers", tuning.Command.Options.ReplaceOnChanges);
        Assert.Equal(new GpuTuning(true, 60), tuning.Annotations.Find<GpuTuning>());
        Assert.Equal("urn:pulumi:homelab::llm-platform::llmctl:gpu:NvidiaNodeTuning$command:remote:Command::gpu-worker", tuning.Command.Urn.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-70)]
    public void A_power_limit_of_zero_or_less_is_refused(int watts)
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Connection = Ssh, PowerLimitWatts = watts }));

        Assert.Equal("powerLimitWatts", Assert.Single(ex.Problems).Argument);
        Assert.Contains("must be greater than 0 watts", ex.Message);
    }

    [Fact]
    public void A_default_limit_of_zero_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Connection = Ssh, PowerLimitWatts = 60, DefaultPowerLimitWatts = 0 }));

        Assert.Equal("defaultPowerLimitWatts", Assert.Single(ex.Problems).Argument);
        Assert.Contains("must be greater than 0 watts", ex.Message);
    }

    [Fact]
    public void A_default_limit_without_a_power_limit_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Connection = Ssh, DefaultPowerLimitWatts = 70 }));

        Assert.Contains("is only restored after a powerLimitWatts", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void A_negative_GPU_index_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Connection = Ssh, GpuIndex = -1 }));

        Assert.Contains("must be 0 or more", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void Nothing_to_tune_is_refused()
    {
        var ex = Assert.Throws<ComponentArgumentException>(() => Build(new() { Connection = Ssh, PersistenceMode = false }));

        Assert.Contains("nothing to tune", Assert.Single(ex.Problems).Message);
    }
}
