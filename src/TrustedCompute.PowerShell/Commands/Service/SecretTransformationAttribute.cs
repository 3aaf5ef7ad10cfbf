using System.Management.Automation;
using System.Security;

namespace TrustedCompute.PowerShell.Commands.Service;

/// <summary>Takes a SecureString, or a PSCredential's password (Get-Credential); a plain string is refused.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecretTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) switch
        {
            SecureString secret => secret,
            PSCredential credential => credential.Password,
            null => throw new ArgumentTransformationMetadataException("The secret is null"),
            _ => throw new ArgumentTransformationMetadataException(
                "Give the secret as a SecureString (Read-Host -AsSecureString) or a PSCredential (Get-Credential), " +
                "never as plain text"),
        };
}
