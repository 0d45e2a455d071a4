/**
 * Confirm-or-restore for the Windows Firewall script (windows.ts), the PowerShell counterpart of
 * `portmatrix apply` on Linux. Before any change the whole policy is exported
 * (`netsh advfirewall export`: every rule and the profiles' settings); a scheduled task, registered
 * as SYSTEM to run when the time is up, imports it back unless a confirm file exists by then. The
 * Task Scheduler, not this PowerShell session, holds the restore: a cut RDP/SSH link, a closed
 * window, Ctrl-C or a killed powershell.exe do not stop it (Read-Host has no timeout, and a
 * background job dies with its session). The admin confirms from another session — which proves
 * they still get in — by creating the confirm file. A script error after the export restores at
 * once (trap). `netsh advfirewall import` replaces the whole policy: changes others make while
 * the apply waits are undone with it.
 */

const STATE = "$pmState";

/** Lines after `$group = …`, before the first change (the old-rule removal). */
export function rollbackPreamble(): string[] {
  return [
    "# Confirm or restore: export the whole policy; a SYSTEM scheduled task imports it back when",
    "# the time is up unless the confirm file exists (set PORTMATRIX_CONFIRM_WITHIN, default 120 s;",
    "# PORTMATRIX_NO_ROLLBACK=1 keeps the rules without waiting).",
    "$pmWithin = if ($env:PORTMATRIX_CONFIRM_WITHIN) { [int]$env:PORTMATRIX_CONFIRM_WITHIN } else { 120 }",
    `${STATE} = Join-Path $env:ProgramData 'portmatrix'`,
    `New-Item -ItemType Directory -Force -Path ${STATE} | Out-Null`,
    `$pmBackup = Join-Path ${STATE} 'before-apply.wfw'`,
    `$pmConfirm = Join-Path ${STATE} 'confirm'`,
    "$pmTask = 'portmatrix restore'",
    "if (Get-ScheduledTask -TaskName $pmTask -ErrorAction SilentlyContinue) {",
    "  throw \"an apply is pending (scheduled task '$pmTask'): confirm it with New-Item -ItemType File -Force '$pmConfirm', or wait for its restore\"",
    "}",
    "Remove-Item -LiteralPath $pmBackup, $pmConfirm -Force -ErrorAction SilentlyContinue",
    'netsh advfirewall export "$pmBackup" | Out-Null',
    "if ($LASTEXITCODE -ne 0) { throw 'netsh advfirewall export failed: nothing was changed' }",
    '$pmRestore = @"',
    "if (-not (Test-Path -LiteralPath '$pmConfirm')) { netsh advfirewall import '$pmBackup' }",
    "Unregister-ScheduledTask -TaskName '$pmTask' -Confirm:`$false",
    '"@',
    "$pmEncoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($pmRestore))",
    "$pmAction = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument \"-NoProfile -NonInteractive -EncodedCommand $pmEncoded\"",
    "$pmTrigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddSeconds($pmWithin)",
    "Register-ScheduledTask -TaskName $pmTask -Action $pmAction -Trigger $pmTrigger -User 'SYSTEM' -RunLevel Highest -Force | Out-Null",
    "# Any error from here on: the previous policy back at once (a trap covers its whole scope, hence the flag).",
    "$pmArmed = $true",
    'trap { if ($pmArmed) { netsh advfirewall import "$pmBackup" | Out-Null; Unregister-ScheduledTask -TaskName $pmTask -Confirm:$false }; break }',
  ];
}

/** Lines after the last rule: wait for the confirm file, with a countdown. Exit 0 kept, 1 restored. */
export function rollbackEpilogue(): string[] {
  return [
    "# Wait for the confirmation from another session.",
    "if ($env:PORTMATRIX_NO_ROLLBACK) { New-Item -ItemType File -Force -Path $pmConfirm | Out-Null }",
    'Write-Host "Applied. Confirm within $pmWithin s from ANOTHER session (proves you still get in):"',
    "Write-Host \"  New-Item -ItemType File -Force '$pmConfirm'\"",
    "$pmDeadline = (Get-Date).AddSeconds($pmWithin)",
    "while ((Get-Date) -lt $pmDeadline -and -not (Test-Path -LiteralPath $pmConfirm)) {",
    "  Write-Progress -Activity 'portmatrix: waiting for confirmation' -SecondsRemaining ([int]($pmDeadline - (Get-Date)).TotalSeconds)",
    "  Start-Sleep -Milliseconds 500",
    "}",
    "if (Test-Path -LiteralPath $pmConfirm) {",
    "  Unregister-ScheduledTask -TaskName $pmTask -Confirm:$false",
    "  Write-Host 'confirmed: the new rules are kept'",
    "  exit 0",
    "}",
    "Write-Host 'not confirmed: the scheduled task restores the previous policy'",
    "Start-ScheduledTask -TaskName $pmTask",
    "exit 1",
  ];
}
