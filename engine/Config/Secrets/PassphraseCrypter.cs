using System.Security.Cryptography;
using System.Text;

namespace Llmctl.Engine.Config.Secrets;

/// <summary>
/// Pulumi's passphrase secrets provider, byte for byte (pulumi/pulumi <c>sdk/go/common/resource/config/crypt.go</c>
/// <c>NewSymmetricCrypterFromPassphrase</c>, <c>pkg/secrets/passphrase/manager.go</c>): the key is
/// PBKDF2-HMAC-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes); a value is AES-256-GCM with a random
/// 12-byte nonce, the 16-byte tag appended to the ciphertext (Go's <c>gcm.Seal</c>), written
/// <c>v1:&lt;base64 nonce&gt;:&lt;base64 ciphertext+tag&gt;</c>. The stack's <c>encryptionsalt</c> is
/// <c>v1:&lt;base64 8-byte salt&gt;:&lt;Encrypt("pulumi")&gt;</c>, so a wrong passphrase is caught before anything
/// is decrypted. Deriving the key takes about 0.3 s: make one crypter per stack and keep it.
/// </summary>
public sealed class PassphraseCrypter : ISecretCrypter
{
    public const int Iterations = 1_000_000;
    public const int KeyBytes = 32;
    public const int SaltBytes = 8;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    private const string CheckValue = "pulumi";

    private readonly byte[] _key;

    private PassphraseCrypter(byte[] key, string encryptionSalt)
    {
        _key = key;
        EncryptionSalt = encryptionSalt;
    }

    /// <summary>The <c>encryptionsalt</c> line for the stack file.</summary>
    public string EncryptionSalt { get; }

    /// <summary>A crypter for a new stack: a fresh random salt and its check value.</summary>
    public static PassphraseCrypter CreateNew(string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = DeriveKey(passphrase, salt);
        var check = Encrypt(key, CheckValue);
        return new PassphraseCrypter(key, $"v1:{Convert.ToBase64String(salt)}:{check}");
    }

    /// <summary>
    /// The crypter for an existing stack. Throws <see cref="SecretDecryptionException"/> when the salt is malformed or
    /// the passphrase does not decrypt its check value.
    /// </summary>
    public static PassphraseCrypter FromEncryptionSalt(string passphrase, string encryptionSalt, string? stackName = null)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentNullException.ThrowIfNull(encryptionSalt);
        var parts = encryptionSalt.Split(':', 3);
        if (parts.Length != 3 || parts[0] != "v1" || !TryBase64(parts[1], out var salt))
        {
            throw new SecretDecryptionException(
                $"malformed encryptionsalt '{encryptionSalt}'; expected v1:<base64 salt>:<encrypted check value>");
        }
        var key = DeriveKey(passphrase, salt);
        string check;
        try
        {
            check = Decrypt(key, parts[2]);
        }
        catch (SecretDecryptionException)
        {
            check = "";
        }
        if (check != CheckValue)
        {
            var stack = stackName is null ? "this stack" : $"stack '{stackName}'";
            throw new SecretDecryptionException(
                $"incorrect passphrase for {stack}; set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE " +
                "to the passphrase this stack was created with");
        }
        return new PassphraseCrypter(key, encryptionSalt);
    }

    public string Encrypt(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return Encrypt(_key, plaintext);
    }

    public string Decrypt(string ciphertext)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        return Decrypt(_key, ciphertext);
    }

    /// <summary>Whether the text has the shape of a passphrase-provider value (it may still fail to decrypt).</summary>
    public static bool IsWellFormed(string ciphertext, out string problem)
    {
        problem = "";
        var parts = ciphertext.Split(':');
        if (parts.Length != 3 || parts[0] != "v1")
        {
            problem = "expected v1:<base64 nonce>:<base64 ciphertext>";
            return false;
        }
        if (!TryBase64(parts[1], out var nonce) || nonce.Length != NonceBytes)
        {
            problem = $"the nonce is not {NonceBytes} bytes of base64";
            return false;
        }
        if (!TryBase64(parts[2], out var sealedBytes) || sealedBytes.Length < TagBytes)
        {
            problem = "the ciphertext is not base64 or is too short to hold the authentication tag";
            return false;
        }
        return true;
    }

    internal static byte[] DeriveKey(string passphrase, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, Iterations, HashAlgorithmName.SHA256, KeyBytes);

    private static string Encrypt(byte[] key, string plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[plain.Length + TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length));
        return $"v1:{Convert.ToBase64String(nonce)}:{Convert.ToBase64String(sealedBytes)}";
    }

    private static string Decrypt(byte[] key, string ciphertext)
    {
        if (!IsWellFormed(ciphertext, out var problem))
            throw new SecretDecryptionException($"malformed secret value: {problem}");
        var parts = ciphertext.Split(':');
        var nonce = Convert.FromBase64String(parts[1]);
        var sealedBytes = Convert.FromBase64String(parts[2]);
        var plain = new byte[sealedBytes.Length - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(nonce, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), plain);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SecretDecryptionException(
                "could not decrypt a secret value: the passphrase is not the one it was encrypted with, or the value was altered", e);
        }
        return Encoding.UTF8.GetString(plain);
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
