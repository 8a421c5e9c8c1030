namespace Llmctl.Engine.Config;

/// <summary>Encrypts and decrypts secret values; the passphrase provider writes <c>v1:&lt;nonce&gt;:&lt;ciphertext&gt;</c>.</summary>
public interface ISecretCrypter
{
    string Encrypt(string plaintext);

    /// <summary>Decrypts a value; throws <see cref="SecretDecryptionException"/> when it cannot.</summary>
    string Decrypt(string ciphertext);
}

/// <summary>A secret could not be decrypted (wrong passphrase, corrupted value). Exit code 2.</summary>
public sealed class SecretDecryptionException(string message, Exception? inner = null) : Exception(message, inner);
