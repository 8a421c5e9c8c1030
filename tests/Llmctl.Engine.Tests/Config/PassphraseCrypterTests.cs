using System.Text.RegularExpressions;
using Llmctl.Engine.Config;
using Llmctl.Engine.Config.Secrets;

namespace Llmctl.Engine.Tests.Config;

/// <summary>Each key derivation costs ~0.3 s (1,000,000 PBKDF2 rounds): the fixture makes the crypters once.</summary>
public sealed class CrypterFixture
{
    // Published by Pulumi: pulumi/pulumi pkg/secrets/passphrase/manager_test.go
    // (commit 14a76bf191cb6c4f439fb6916675a95d17129c04), the `state` constant. Its tests open it with the passphrase
    // "password" (TestPassphraseManagerCorrectPassphraseReturnsSecretsManager) and refuse "password123"
    // (TestPassphraseManagerIncorrectPassphraseReturnsErrorCrypter). The salt's third part is Pulumi's own
    // AES-256-GCM encryption of "pulumi" under the PBKDF2 key, so opening it checks key derivation and decryption.
    public const string PulumiSalt = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==";

    public PassphraseCrypter Pulumi { get; } = PassphraseCrypter.FromEncryptionSalt("password", PulumiSalt, "pulumi-test");
    public PassphraseCrypter Fresh { get; } = PassphraseCrypter.CreateNew("correct horse battery staple");
}

public sealed class PassphraseCrypterTests(CrypterFixture fixture) : IClassFixture<CrypterFixture>
{
    [Fact]
    public void A_salt_written_by_Pulumi_opens_with_its_passphrase_and_decrypts_its_check_value()
    {
        Assert.Equal(CrypterFixture.PulumiSalt, fixture.Pulumi.EncryptionSalt);
        Assert.Equal("pulumi", fixture.Pulumi.Decrypt("v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="));
    }

    [Fact]
    public void A_wrong_passphrase_is_refused_with_a_message_naming_the_stack_and_the_variables()
    {
        var e = Assert.Throws<SecretDecryptionException>(() =>
            PassphraseCrypter.FromEncryptionSalt("password123", CrypterFixture.PulumiSalt, "homelab"));
        Assert.Equal("incorrect passphrase for stack 'homelab'; set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE " +
                     "to the passphrase this stack was created with", e.Message);
    }

    [Fact]
    public void Values_round_trip_and_are_written_in_Pulumis_format()
    {
        var ciphertext = fixture.Pulumi.Encrypt("s3cr3t ✓");
        var m = Regex.Match(ciphertext, "^v1:(?<nonce>[A-Za-z0-9+/=]+):(?<ct>[A-Za-z0-9+/=]+)$");
        Assert.True(m.Success, ciphertext);
        Assert.Equal(12, Convert.FromBase64String(m.Groups["nonce"].Value).Length);
        Assert.Equal("s3cr3t ✓"u8.Length + 16, Convert.FromBase64String(m.Groups["ct"].Value).Length); // tag appended
        Assert.Equal("s3cr3t ✓", fixture.Pulumi.Decrypt(ciphertext));
        Assert.NotEqual(ciphertext, fixture.Pulumi.Encrypt("s3cr3t ✓")); // fresh nonce every time
    }

    [Fact]
    public void A_new_salt_reopens_with_the_same_passphrase_and_decrypts_what_the_first_crypter_wrote()
    {
        Assert.Matches("^v1:[A-Za-z0-9+/]{11}=:v1:[^:]+:[^:]+$", fixture.Fresh.EncryptionSalt);
        var ciphertext = fixture.Fresh.Encrypt("hf_token");
        var reopened = PassphraseCrypter.FromEncryptionSalt("correct horse battery staple", fixture.Fresh.EncryptionSalt);
        Assert.Equal("hf_token", reopened.Decrypt(ciphertext));
    }

    [Fact]
    public void A_tampered_ciphertext_is_refused()
    {
        var ciphertext = fixture.Pulumi.Encrypt("value");
        var parts = ciphertext.Split(':');
        var bytes = Convert.FromBase64String(parts[2]);
        bytes[0] ^= 1;
        var tampered = $"v1:{parts[1]}:{Convert.ToBase64String(bytes)}";
        var e = Assert.Throws<SecretDecryptionException>(() => fixture.Pulumi.Decrypt(tampered));
        Assert.Contains("the value was altered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_from_another_key_is_refused()
    {
        var ciphertext = fixture.Fresh.Encrypt("value");
        Assert.Throws<SecretDecryptionException>(() => fixture.Pulumi.Decrypt(ciphertext));
    }

    [Theory]
    [InlineData("not-a-ciphertext", "expected v1:<base64 nonce>:<base64 ciphertext>")]
    [InlineData("v2:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==", "expected v1:")]
    [InlineData("v1:AAAA:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==", "nonce is not 12 bytes")]
    [InlineData("v1:F+6ZduKKd8G0/V7L:AAAA", "too short")]
    [InlineData("v1:F+6ZduKKd8G0/V7L:!!!", "not base64")]
    public void Malformed_values_are_refused_with_the_reason(string value, string reason)
    {
        Assert.False(PassphraseCrypter.IsWellFormed(value, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        var e = Assert.Throws<SecretDecryptionException>(() => fixture.Pulumi.Decrypt(value));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_encryptionsalt_is_refused_before_any_key_derivation()
    {
        var e = Assert.Throws<SecretDecryptionException>(() => PassphraseCrypter.FromEncryptionSalt("x", "fozI5u6B030=:v1:F+6ZduL"));
        Assert.Contains("malformed encryptionsalt", e.Message, StringComparison.Ordinal);
    }
}
