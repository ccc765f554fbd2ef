; Inno Setup 6 script: a per-machine installer for the Windows one-folder bundle.
; Build on Windows (cannot be built on the Linux CI machines), from the repository root:
;   py -3.11 -m venv .venv
;   .venv\Scripts\python -m pip install -e ".[package]"
;   .venv\Scripts\pyinstaller --noconfirm --clean --distpath build\dist --workpath build\work packaging\console.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\cvsecurity-console.iss
; Output: build\installer\cvsecurity-console-setup-<version>.exe
; Uninstalling removes {app} and the shortcuts only: the operator's data, settings and logs
; (%LOCALAPPDATA%\cvsecurity-console) stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C1E8F3A-2B7D-4C55-9E0A-5D3C2F1B7A90}
AppName=CVSecurity console
AppVersion={#AppVersion}
AppPublisher=CVSecurity console team
DefaultDirName={autopf}\CVSecurity console
DefaultGroupName=CVSecurity console
DisableProgramGroupPage=yes
OutputDir=..\..\build\installer
OutputBaseFilename=cvsecurity-console-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
UninstallDisplayIcon={app}\cvsecurity-console.exe
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked
Name: "autostart"; Description: "Start the console full screen at login (unattended desk)"; Flags: unchecked

[Files]
Source: "..\..\build\dist\cvsecurity-console\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\CVSecurity console"; Filename: "{app}\cvsecurity-console.exe"
Name: "{group}\CVSecurity console (demo)"; Filename: "{app}\cvsecurity-console.exe"; Parameters: "--demo"
Name: "{autodesktop}\CVSecurity console"; Filename: "{app}\cvsecurity-console.exe"; Tasks: desktopicon
Name: "{commonstartup}\CVSecurity console"; Filename: "{app}\cvsecurity-console.exe"; Parameters: "--kiosk"; Tasks: autostart

[Run]
Filename: "{app}\cvsecurity-console.exe"; Description: "Start the console"; Flags: nowait postinstall skipifsilent
