using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Llmctl.Components.Models;
using static Llmctl.Components.Tests.Models.ModelTestData;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Tests.Models;

public sealed class ModelPrefetchTests
{
    private static ModelPrefetch Prefetch(ModelPrefetchArgs args) => Build(() => new ModelPrefetch("prefetch-gpu-worker", args));

    [Fact]
    public void The_job_runs_on_the_node_and_writes_into_the_gguf_directory_of_its_model_disk()
    {
        var job = Prefetch(ModelTestData.Prefetch).Job.Object;
        var spec = job.Spec.Template.Spec;

        Assert.Equal(new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu-worker" }, spec.NodeSelector);
        var volume = Assert.Single(spec.Volumes);
        Assert.Equal(("/models/vllm/gguf", "DirectoryOrCreate"), (volume.HostPath.Path, volume.HostPath.Type));
        Assert.Equal("/models/gguf", Assert.Single(Assert.Single(spec.Containers).VolumeMounts).MountPath);
        Assert.Equal("Never", spec.RestartPolicy);
        Assert.Equal((2, 86400, 14400L), (job.Spec.BackoffLimit, job.Spec.TtlSecondsAfterFinished, job.Spec.ActiveDeadlineSeconds));
    }

    [Fact]
    public void The_job_downloads_exactly_the_locked_files_with_their_checksums_and_sizes()
    {
        var container = Assert.Single(Prefetch(ModelTestData.Prefetch).Job.Object.Spec.Template.Spec.Containers);

        Assert.Equal(["sh", "-c", ModelPrefetch.Script, "prefetch"], container.Command);
        Assert.Equal(
            [
                "/models/gguf",
                FastModelLock.File, FastModelLock.Sha256!, "22118000000", FastModelLock.Source,
                DeepModelLock.File, DeepModelLock.Sha256!, "16500000000", DeepModelLock.Source,
            ],
            container.Args);
        Assert.Equal($"docker.io/curlimages/curl:8.11.1@{Digest}", container.Image);
    }

    [Fact]
    public void The_script_checks_both_the_size_and_the_sha256_and_renames_only_verified_downloads()
    {
        Assert.Contains("wc -c < \"$1\"", ModelPrefetch.Script);
        Assert.Contains("sha256sum \"$1\"", ModelPrefetch.Script);
        Assert.Contains("--fail", ModelPrefetch.Script);
        Assert.Contains("mv \"$target.part\" \"$target\"", ModelPrefetch.Script);
    }

    [Fact]
    public void Changing_the_file_list_replaces_the_job_and_the_engine_waits_for_the_downloads()
    {
        var prefetch = Prefetch(ModelTestData.Prefetch);

        Assert.Equal(["spec"], prefetch.Job.Options.ReplaceOnChanges);
        Assert.True(((Engine.Model.CustomResourceOptions)prefetch.Job.Options).DeleteBeforeReplace);
        Assert.Equal(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(5), prefetch.Job.Options.CustomTimeouts!.Create);
    }

    [Fact]
    public void An_unlocked_entry_and_a_relative_disk_are_refused_and_an_unpinned_image_is_left_to_pinned_digests()
    {
        var ex = Fails(() => new ModelPrefetch("prefetch", ModelTestData.Prefetch with
        {
            Models = [FastModelLock with { Sha256 = null }],
            Image = Llmctl.Components.Images.ImageRef.Parse("docker.io/curlimages/curl:8.11.1"),
            ModelDisk = "models",
        }));

        Assert.Equal(["modelDisk", "models"], ex.Problems.Select(p => p.Argument));
        Assert.Contains("has no sha256 in the lock", ex.Problems[1].Message);
        Assert.Contains("only downloads files it can verify", ex.Problems[1].Message);
    }

    // The script itself, run with sh against a fake curl that "downloads" from a local folder.
    private sealed class ScriptRun : IDisposable
    {
        public ScriptRun()
        {
            Assert.SkipWhen(OperatingSystem.IsWindows(), "the prefetch script runs in a POSIX sh");
            Directory.CreateDirectory(Bin);
            Directory.CreateDirectory(Remote);
            Directory.CreateDirectory(Target);
            // Writes the remote file named by the URL to the --output path and logs the call.
            File.WriteAllText(Path.Combine(Bin, "curl"), """
                #!/bin/sh
                out=""; url=""
                while [ "$#" -gt 0 ]; do
                  case "$1" in
                    --output) out="$2"; shift 2 ;;
                    --retry|--retry-delay|--continue-at) shift 2 ;;
                    -*) shift ;;
                    *) url="$1"; shift ;;
                  esac
                done
                echo "$url" >> "$CURL_LOG"
                cp "$REMOTE/${url##*/}" "$out"
                """.ReplaceLineEndings("\n"));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(Bin, "curl"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "llmctl-prefetch-" + Guid.NewGuid().ToString("N"));
        public string Bin => Path.Combine(Root, "bin");
        public string Remote => Path.Combine(Root, "remote");
        public string Target => Path.Combine(Root, "gguf");
        public string Log => Path.Combine(Root, "curl.log");
        public IReadOnlyList<string> Downloads => File.Exists(Log) ? File.ReadAllLines(Log) : [];

        public static (string Sha, long Size) Facts(string content) =>
            (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), Encoding.UTF8.GetByteCount(content));

        public (int ExitCode, string Output) Run(params string[] fileShaSizeUrl)
        {
            var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-c", ModelPrefetch.Script, "prefetch", Target, .. fileShaSizeUrl]) start.ArgumentList.Add(a);
            start.Environment["PATH"] = Bin + ":" + Environment.GetEnvironmentVariable("PATH");
            start.Environment["REMOTE"] = Remote;
            start.Environment["CURL_LOG"] = Log;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    [Fact]
    public void Running_the_script_downloads_a_matching_file_and_keeps_it()
    {
        using var run = new ScriptRun();
        File.WriteAllText(Path.Combine(run.Remote, "tiny.gguf"), "GGUF tiny model");
        var (sha, size) = ScriptRun.Facts("GGUF tiny model");

        var (exit, output) = run.Run("tiny.gguf", sha, size.ToString(), "https://example.test/tiny.gguf");

        Assert.True(exit == 0, output);
        Assert.Equal("GGUF tiny model", File.ReadAllText(Path.Combine(run.Target, "tiny.gguf")));
        Assert.False(File.Exists(Path.Combine(run.Target, "tiny.gguf.part")));
        Assert.Contains("tiny.gguf verified", output);
    }

    [Fact]
    public void Running_the_script_fails_on_a_download_with_the_wrong_sha256_and_leaves_no_file()
    {
        using var run = new ScriptRun();
        File.WriteAllText(Path.Combine(run.Remote, "tiny.gguf"), "GGUF tampered!!");
        var (sha, size) = ScriptRun.Facts("GGUF tiny model"); // same length, other bytes

        var (exit, output) = run.Run("tiny.gguf", sha, size.ToString(), "https://example.test/tiny.gguf");

        Assert.Equal(1, exit);
        Assert.Contains($"does not match the lock: sha256 is {ScriptRun.Facts("GGUF tampered!!").Sha}, the lock says {sha}", output);
        Assert.Empty(Directory.GetFiles(run.Target));
    }

    [Fact]
    public void Running_the_script_fails_on_a_download_with_the_wrong_size()
    {
        using var run = new ScriptRun();
        File.WriteAllText(Path.Combine(run.Remote, "tiny.gguf"), "GGUF tiny model");
        var (sha, _) = ScriptRun.Facts("GGUF tiny model");

        var (exit, output) = run.Run("tiny.gguf", sha, "999", "https://example.test/tiny.gguf");

        Assert.Equal(1, exit);
        Assert.Contains("size is 15 bytes, the lock says 999", output);
        Assert.Empty(Directory.GetFiles(run.Target));
    }

    [Fact]
    public void Running_the_script_skips_a_present_verified_file_without_downloading()
    {
        using var run = new ScriptRun();
        File.WriteAllText(Path.Combine(run.Target, "tiny.gguf"), "GGUF tiny model");
        var (sha, size) = ScriptRun.Facts("GGUF tiny model");

        var (exit, output) = run.Run("tiny.gguf", sha, size.ToString(), "https://example.test/tiny.gguf");

        Assert.True(exit == 0, output);
        Assert.Contains("present and matches the lock; skipped", output);
        Assert.Empty(run.Downloads);
    }

    [Fact]
    public void Running_the_script_refuses_a_present_file_that_does_not_match_and_leaves_it_alone()
    {
        using var run = new ScriptRun();
        File.WriteAllText(Path.Combine(run.Target, "tiny.gguf"), "some other model");
        var (sha, size) = ScriptRun.Facts("GGUF tiny model");

        var (exit, output) = run.Run("tiny.gguf", sha, size.ToString(), "https://example.test/tiny.gguf");

        Assert.Equal(1, exit);
        Assert.Contains("is present but does not match the lock", output);
        Assert.Equal("some other model", File.ReadAllText(Path.Combine(run.Target, "tiny.gguf")));
        Assert.Empty(run.Downloads);
    }
}
