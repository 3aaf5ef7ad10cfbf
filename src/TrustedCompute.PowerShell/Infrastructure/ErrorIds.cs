namespace TrustedCompute.PowerShell.Infrastructure;

/// <summary>
/// Every error id the cmdlets write, in one table. A command's own ids are &lt;Verb&gt;&lt;Noun&gt;&lt;Problem&gt;.
/// The few ids for a shared resource every command of an area can hit (the TPM, the OpenStack connection) are
/// &lt;Noun&gt;&lt;Problem&gt;, documented in the about_ topics so scripts can catch them from any command.
/// The FullyQualifiedErrorId adds the command's type either way. Scripts match these strings: never change one.
/// </summary>
public static class ErrorIds
{
    // Shared by every command of an area.
    public const string TpmUnavailable = nameof(TpmUnavailable);
    public const string OpenStackAuthenticationFailed = nameof(OpenStackAuthenticationFailed);
    public const string OpenStackConnectFailed = nameof(OpenStackConnectFailed);
    public const string OpenStackNotConnected = nameof(OpenStackNotConnected);
    public const string StoreUnavailable = nameof(StoreUnavailable);
    public const string StoreOperationFailed = nameof(StoreOperationFailed);

    // TPM
    public const string GetTpmAttestationKeyFailed = nameof(GetTpmAttestationKeyFailed);
    public const string GetTpmAttestationKeyNotFound = nameof(GetTpmAttestationKeyNotFound);
    public const string GetTpmDeviceFailed = nameof(GetTpmDeviceFailed);
    public const string GetTpmEndorsementKeyFailed = nameof(GetTpmEndorsementKeyFailed);
    public const string GetTpmNvIndexFailed = nameof(GetTpmNvIndexFailed);
    public const string GetTpmNvIndexNotFound = nameof(GetTpmNvIndexNotFound);
    public const string GetTpmPcrFailed = nameof(GetTpmPcrFailed);
    public const string GetTpmQuoteFailed = nameof(GetTpmQuoteFailed);
    public const string NewTpmAttestationKeyFailed = nameof(NewTpmAttestationKeyFailed);
    public const string ReadTpmNvIndexFailed = nameof(ReadTpmNvIndexFailed);
    public const string RemoveTpmAttestationKeyFailed = nameof(RemoveTpmAttestationKeyFailed);
    public const string UpdateTpmPcrFailed = nameof(UpdateTpmPcrFailed);
    public const string WriteTpmNvIndexFailed = nameof(WriteTpmNvIndexFailed);

    // Event logs
    public const string CompareTpmEventLogInvalidReferencePcr = nameof(CompareTpmEventLogInvalidReferencePcr);
    public const string CompareTpmEventLogParseFailed = nameof(CompareTpmEventLogParseFailed);
    public const string CompareTpmEventLogPathNotFound = nameof(CompareTpmEventLogPathNotFound);
    public const string CompareTpmEventLogReadFailed = nameof(CompareTpmEventLogReadFailed);
    public const string GetTpmEventLogParseFailed = nameof(GetTpmEventLogParseFailed);
    public const string GetTpmEventLogPathNotFound = nameof(GetTpmEventLogPathNotFound);
    public const string GetTpmEventLogReadFailed = nameof(GetTpmEventLogReadFailed);
    public const string GetTpmEventLogPcrInvalidBank = nameof(GetTpmEventLogPcrInvalidBank);
    public const string GetTpmEventLogPcrParseFailed = nameof(GetTpmEventLogPcrParseFailed);
    public const string GetTpmEventLogPcrPathNotFound = nameof(GetTpmEventLogPcrPathNotFound);
    public const string GetTpmEventLogPcrReadFailed = nameof(GetTpmEventLogPcrReadFailed);

    // Attestation
    public const string ExportAttestationEvidenceFileExists = nameof(ExportAttestationEvidenceFileExists);
    public const string ExportAttestationEvidenceInvalid = nameof(ExportAttestationEvidenceInvalid);
    public const string ExportAttestationEvidenceWriteFailed = nameof(ExportAttestationEvidenceWriteFailed);
    public const string ExportAttestationPolicyFileExists = nameof(ExportAttestationPolicyFileExists);
    public const string ExportAttestationPolicyInvalid = nameof(ExportAttestationPolicyInvalid);
    public const string ExportAttestationPolicyWriteFailed = nameof(ExportAttestationPolicyWriteFailed);
    public const string GetAttestationEvidenceEventLogUnreadable = nameof(GetAttestationEvidenceEventLogUnreadable);
    public const string GetAttestationEvidenceFailed = nameof(GetAttestationEvidenceFailed);
    public const string GetAttestationEvidenceRemoteFailed = nameof(GetAttestationEvidenceRemoteFailed);
    public const string ImportAttestationEvidenceInvalid = nameof(ImportAttestationEvidenceInvalid);
    public const string ImportAttestationEvidencePathNotFound = nameof(ImportAttestationEvidencePathNotFound);
    public const string ImportAttestationEvidenceUnreadable = nameof(ImportAttestationEvidenceUnreadable);
    public const string ImportAttestationPolicyInvalid = nameof(ImportAttestationPolicyInvalid);
    public const string ImportAttestationPolicyPathNotFound = nameof(ImportAttestationPolicyPathNotFound);
    public const string ImportAttestationPolicyUnreadable = nameof(ImportAttestationPolicyUnreadable);
    public const string InvokeHostAttestationCollectFailed = nameof(InvokeHostAttestationCollectFailed);
    public const string InvokeHostAttestationEvidenceInvalid = nameof(InvokeHostAttestationEvidenceInvalid);
    public const string InvokeHostAttestationKeyConflict = nameof(InvokeHostAttestationKeyConflict);
    public const string InvokeHostAttestationKeyInvalid = nameof(InvokeHostAttestationKeyInvalid);
    public const string InvokeHostAttestationPathNotFound = nameof(InvokeHostAttestationPathNotFound);
    public const string InvokeHostAttestationPolicyConflict = nameof(InvokeHostAttestationPolicyConflict);
    public const string InvokeHostAttestationPolicyInvalid = nameof(InvokeHostAttestationPolicyInvalid);
    public const string InvokeHostAttestationPreviousConflict = nameof(InvokeHostAttestationPreviousConflict);
    public const string InvokeHostAttestationPreviousInvalid = nameof(InvokeHostAttestationPreviousInvalid);
    public const string InvokeHostAttestationRemoteFailed = nameof(InvokeHostAttestationRemoteFailed);
    public const string InvokeHostAttestationTargetInvalid = nameof(InvokeHostAttestationTargetInvalid);
    public const string InstallTrustedComputeModuleFailed = nameof(InstallTrustedComputeModuleFailed);
    public const string InvokeAttestationSweepBusy = nameof(InvokeAttestationSweepBusy);
    public const string InvokeAttestationSweepWebhookFailed = nameof(InvokeAttestationSweepWebhookFailed);
    public const string InvokeAttestationSweepWebhookInvalid = nameof(InvokeAttestationSweepWebhookInvalid);
    public const string NewAttestationPolicyInvalidEvidence = nameof(NewAttestationPolicyInvalidEvidence);
    public const string TestAttestationPolicyPathNotFound = nameof(TestAttestationPolicyPathNotFound);

    // Intel TXT launch control policies
    public const string ExportLaunchControlPolicyFileExists = nameof(ExportLaunchControlPolicyFileExists);
    public const string ExportLaunchControlPolicyInvalidInput = nameof(ExportLaunchControlPolicyInvalidInput);
    public const string ExportLaunchControlPolicyWriteFailed = nameof(ExportLaunchControlPolicyWriteFailed);
    public const string GetLaunchControlPolicyInvalid = nameof(GetLaunchControlPolicyInvalid);
    public const string GetLaunchControlPolicyNotFound = nameof(GetLaunchControlPolicyNotFound);
    public const string GetLaunchControlPolicyNotWritten = nameof(GetLaunchControlPolicyNotWritten);
    public const string GetLaunchControlPolicyTpmError = nameof(GetLaunchControlPolicyTpmError);
    public const string ImportLaunchControlPolicyInvalid = nameof(ImportLaunchControlPolicyInvalid);
    public const string ImportLaunchControlPolicyNotFound = nameof(ImportLaunchControlPolicyNotFound);
    public const string ImportLaunchControlPolicyReadFailed = nameof(ImportLaunchControlPolicyReadFailed);
    public const string NewLaunchControlPolicyElementFileError = nameof(NewLaunchControlPolicyElementFileError);
    public const string NewLaunchControlPolicyElementInvalidArgument = nameof(NewLaunchControlPolicyElementInvalidArgument);
    public const string NewLaunchControlPolicyElementInvalidInput = nameof(NewLaunchControlPolicyElementInvalidInput);
    public const string NewLaunchControlPolicyInvalidArgument = nameof(NewLaunchControlPolicyInvalidArgument);
    public const string NewLaunchControlPolicyInvalidInput = nameof(NewLaunchControlPolicyInvalidInput);
    public const string NewLaunchControlPolicyListInvalidArgument = nameof(NewLaunchControlPolicyListInvalidArgument);
    public const string NewLaunchControlPolicyListKeyFileError = nameof(NewLaunchControlPolicyListKeyFileError);
    public const string SetLaunchControlPolicyIndexTooSmall = nameof(SetLaunchControlPolicyIndexTooSmall);
    public const string SetLaunchControlPolicyInvalid = nameof(SetLaunchControlPolicyInvalid);
    public const string SetLaunchControlPolicyInvalidArgument = nameof(SetLaunchControlPolicyInvalidArgument);
    public const string SetLaunchControlPolicyListSignatureInvalidArgument = nameof(SetLaunchControlPolicyListSignatureInvalidArgument);
    public const string SetLaunchControlPolicyListSignatureKeyFileError = nameof(SetLaunchControlPolicyListSignatureKeyFileError);
    public const string SetLaunchControlPolicyTpmError = nameof(SetLaunchControlPolicyTpmError);
    public const string TestLaunchControlPolicyFailed = nameof(TestLaunchControlPolicyFailed);
    public const string TestLaunchControlPolicyInvalid = nameof(TestLaunchControlPolicyInvalid);

    // OpenStack
    public const string ConnectOpenStackFailed = nameof(ConnectOpenStackFailed);
    public const string ConnectOpenStackScopeRefused = nameof(ConnectOpenStackScopeRefused);
    public const string GetOpenStackTrustedFlavorFailed = nameof(GetOpenStackTrustedFlavorFailed);
    public const string GetOpenStackTrustedFlavorNotFound = nameof(GetOpenStackTrustedFlavorNotFound);
    public const string GetTrustedPoolFailed = nameof(GetTrustedPoolFailed);
    public const string SetOpenStackTrustedFlavorFailed = nameof(SetOpenStackTrustedFlavorFailed);
    public const string SetOpenStackTrustedFlavorNotFound = nameof(SetOpenStackTrustedFlavorNotFound);
    public const string SetOpenStackTrustedImageFailed = nameof(SetOpenStackTrustedImageFailed);
    public const string SetOpenStackTrustedImageNotFound = nameof(SetOpenStackTrustedImageNotFound);
    public const string SetTrustedAggregateFailed = nameof(SetTrustedAggregateFailed);
    public const string SyncTrustedPoolInvalidInput = nameof(SyncTrustedPoolInvalidInput);
    public const string SyncTrustedPoolInvalidMaxAge = nameof(SyncTrustedPoolInvalidMaxAge);
    public const string SyncTrustedPoolMassRemoval = nameof(SyncTrustedPoolMassRemoval);
    public const string SyncTrustedPoolPlanFailed = nameof(SyncTrustedPoolPlanFailed);
    public const string SyncTrustedPoolProviderFailed = nameof(SyncTrustedPoolProviderFailed);
    public const string SyncTrustedPoolProviderNotFound = nameof(SyncTrustedPoolProviderNotFound);
    public const string SyncTrustedPoolRemovalFailed = nameof(SyncTrustedPoolRemovalFailed);
    public const string SyncTrustedPoolRemovalIncomplete = nameof(SyncTrustedPoolRemovalIncomplete);

    // Host registry and store
    public const string GetTrustedHostNotFound = nameof(GetTrustedHostNotFound);
    public const string RegisterAttestationPolicyInvalid = nameof(RegisterAttestationPolicyInvalid);
    public const string RegisterAttestationPolicyNoName = nameof(RegisterAttestationPolicyNoName);
    public const string RegisterTrustedHostCollectFailed = nameof(RegisterTrustedHostCollectFailed);
    public const string RegisterTrustedHostExists = nameof(RegisterTrustedHostExists);
    public const string RegisterTrustedHostRejected = nameof(RegisterTrustedHostRejected);
    public const string RegisterTrustedHostPolicyNotFound = nameof(RegisterTrustedHostPolicyNotFound);
    public const string SetTrustedHostNotFound = nameof(SetTrustedHostNotFound);
    public const string SetTrustedHostPolicyNotFound = nameof(SetTrustedHostPolicyNotFound);
    public const string NewTpmCredentialInvalid = nameof(NewTpmCredentialInvalid);
    public const string UnprotectTpmCredentialFailed = nameof(UnprotectTpmCredentialFailed);
    public const string GetTpmEnrollmentRequestFailed = nameof(GetTpmEnrollmentRequestFailed);
    public const string UnregisterTrustedHostNotFound = nameof(UnregisterTrustedHostNotFound);

    // Attestation service
    public const string StartAttestationServiceInvalidArgument = nameof(StartAttestationServiceInvalidArgument);
    public const string StartAttestationServiceNotInstalled = nameof(StartAttestationServiceNotInstalled);
    public const string StartAttestationServiceFailed = nameof(StartAttestationServiceFailed);
    public const string StopAttestationServiceNotFound = nameof(StopAttestationServiceNotFound);
    public const string StopAttestationServiceNotService = nameof(StopAttestationServiceNotService);
    public const string StopAttestationServiceFailed = nameof(StopAttestationServiceFailed);

    // Reporting: diffs, patch-day updates, the fleet report
    public const string CompareAttestationEvidenceInvalidInput = nameof(CompareAttestationEvidenceInvalidInput);
    public const string CompareAttestationEvidenceNoEventLog = nameof(CompareAttestationEvidenceNoEventLog);
    public const string ExportAttestationReportFileExists = nameof(ExportAttestationReportFileExists);
    public const string ExportAttestationReportWriteFailed = nameof(ExportAttestationReportWriteFailed);
    public const string UpdateAttestationPolicyNotFound = nameof(UpdateAttestationPolicyNotFound);
    public const string UpdateAttestationPolicyInvalidEvidence = nameof(UpdateAttestationPolicyInvalidEvidence);
    public const string UpdateAttestationPolicyHostNotFound = nameof(UpdateAttestationPolicyHostNotFound);
    public const string UpdateAttestationPolicyRejected = nameof(UpdateAttestationPolicyRejected);

    // Sweep schedules (systemd timers, Task Scheduler tasks)
    public const string GetAttestationScheduleInvalid = nameof(GetAttestationScheduleInvalid);
    public const string GetAttestationScheduleNotFound = nameof(GetAttestationScheduleNotFound);
    public const string GetAttestationSchedulePlatformNotSupported = nameof(GetAttestationSchedulePlatformNotSupported);
    public const string GetAttestationScheduleReadFailed = nameof(GetAttestationScheduleReadFailed);
    public const string RegisterAttestationScheduleEnableFailed = nameof(RegisterAttestationScheduleEnableFailed);
    public const string RegisterAttestationScheduleExists = nameof(RegisterAttestationScheduleExists);
    public const string RegisterAttestationScheduleInvalid = nameof(RegisterAttestationScheduleInvalid);
    public const string RegisterAttestationSchedulePlatformNotSupported = nameof(RegisterAttestationSchedulePlatformNotSupported);
    public const string RegisterAttestationScheduleSystemdUnavailable = nameof(RegisterAttestationScheduleSystemdUnavailable);
    public const string RegisterAttestationScheduleWriteFailed = nameof(RegisterAttestationScheduleWriteFailed);
    public const string UnregisterAttestationScheduleFailed = nameof(UnregisterAttestationScheduleFailed);
    public const string UnregisterAttestationScheduleInvalid = nameof(UnregisterAttestationScheduleInvalid);
    public const string UnregisterAttestationScheduleNotFound = nameof(UnregisterAttestationScheduleNotFound);
    public const string UnregisterAttestationSchedulePlatformNotSupported = nameof(UnregisterAttestationSchedulePlatformNotSupported);
}
