/**
 * FortiOS's predefined firewall services and service groups: the entries of `config firewall
 * service custom` / `service group` a FortiGate ships with (FortiOS 7.0/7.2 factory defaults),
 * used when a configuration refers to one without defining it (a backup made with `show` rather
 * than `show full-configuration`, or an excerpt). Data, kept as the CLI text FortiOS prints
 * (categories, colours and `visibility` dropped; the proxy-only `webproxy` service left out: it
 * matches explicit-proxy policies only).
 *
 * Source: the `config firewall service custom` and `config firewall service group` tables of a
 * FortiGate-VM v7.x `show full-configuration` published on GitHub (indexed public file
 * 46695972584, a Markdown lab note of the Fz3r0 collection, § "config firewall service custom"),
 * compared with the default entries left in
 * kmransom56/fortigate-config-comparator@397f5f8fd43b58c1cae5d49aace313dd1bb0762e
 * SONIC_07993.conf (an FGT61F 7.0.14 backup): of the 28 it keeps, 26 agree; POP3 and RDP, to which
 * that site added UDP ports, differ.
 */
export const PREDEFINED_SERVICES = `config firewall service custom
    edit "ALL"
        set protocol IP
    next
    edit "ALL_TCP"
        set tcp-portrange 1-65535
    next
    edit "ALL_UDP"
        set udp-portrange 1-65535
    next
    edit "ALL_ICMP"
        set protocol ICMP
    next
    edit "ALL_ICMP6"
        set protocol ICMP6
    next
    edit "GRE"
        set protocol IP
        set protocol-number 47
    next
    edit "AH"
        set protocol IP
        set protocol-number 51
    next
    edit "ESP"
        set protocol IP
        set protocol-number 50
    next
    edit "AOL"
        set tcp-portrange 5190-5194
    next
    edit "BGP"
        set tcp-portrange 179
    next
    edit "DHCP"
        set udp-portrange 67-68
    next
    edit "DNS"
        set tcp-portrange 53
        set udp-portrange 53
    next
    edit "FINGER"
        set tcp-portrange 79
    next
    edit "FTP"
        set tcp-portrange 21
    next
    edit "FTP_GET"
        set tcp-portrange 21
    next
    edit "FTP_PUT"
        set tcp-portrange 21
    next
    edit "GOPHER"
        set tcp-portrange 70
    next
    edit "H323"
        set tcp-portrange 1720 1503
        set udp-portrange 1719
    next
    edit "HTTP"
        set tcp-portrange 80
    next
    edit "HTTPS"
        set tcp-portrange 443
    next
    edit "IKE"
        set udp-portrange 500 4500
    next
    edit "IMAP"
        set tcp-portrange 143
    next
    edit "IMAPS"
        set tcp-portrange 993
    next
    edit "Internet-Locator-Service"
        set tcp-portrange 389
    next
    edit "IRC"
        set tcp-portrange 6660-6669
    next
    edit "L2TP"
        set tcp-portrange 1701
        set udp-portrange 1701
    next
    edit "LDAP"
        set tcp-portrange 389
    next
    edit "NetMeeting"
        set tcp-portrange 1720
    next
    edit "NFS"
        set tcp-portrange 111 2049
        set udp-portrange 111 2049
    next
    edit "NNTP"
        set tcp-portrange 119
    next
    edit "NTP"
        set tcp-portrange 123
        set udp-portrange 123
    next
    edit "OSPF"
        set protocol IP
        set protocol-number 89
    next
    edit "PC-Anywhere"
        set tcp-portrange 5631
        set udp-portrange 5632
    next
    edit "PING"
        set protocol ICMP
        set icmptype 8
    next
    edit "TIMESTAMP"
        set protocol ICMP
        set icmptype 13
    next
    edit "INFO_REQUEST"
        set protocol ICMP
        set icmptype 15
    next
    edit "INFO_ADDRESS"
        set protocol ICMP
        set icmptype 17
    next
    edit "ONC-RPC"
        set tcp-portrange 111
        set udp-portrange 111
    next
    edit "DCE-RPC"
        set tcp-portrange 135
        set udp-portrange 135
    next
    edit "POP3"
        set tcp-portrange 110
    next
    edit "POP3S"
        set tcp-portrange 995
    next
    edit "PPTP"
        set tcp-portrange 1723
    next
    edit "QUAKE"
        set udp-portrange 26000 27000 27910 27960
    next
    edit "RAUDIO"
        set udp-portrange 7070
    next
    edit "REXEC"
        set tcp-portrange 512
    next
    edit "RIP"
        set udp-portrange 520
    next
    edit "RLOGIN"
        set tcp-portrange 513:512-1023
    next
    edit "RSH"
        set tcp-portrange 514:512-1023
    next
    edit "SCCP"
        set tcp-portrange 2000
    next
    edit "SIP"
        set tcp-portrange 5060
        set udp-portrange 5060
    next
    edit "SIP-MSNmessenger"
        set tcp-portrange 1863
    next
    edit "SAMBA"
        set tcp-portrange 139
    next
    edit "SMTP"
        set tcp-portrange 25
    next
    edit "SMTPS"
        set tcp-portrange 465
    next
    edit "SNMP"
        set tcp-portrange 161-162
        set udp-portrange 161-162
    next
    edit "SSH"
        set tcp-portrange 22
    next
    edit "SYSLOG"
        set udp-portrange 514
    next
    edit "TALK"
        set udp-portrange 517-518
    next
    edit "TELNET"
        set tcp-portrange 23
    next
    edit "TFTP"
        set udp-portrange 69
    next
    edit "MGCP"
        set udp-portrange 2427 2727
    next
    edit "UUCP"
        set tcp-portrange 540
    next
    edit "VDOLIVE"
        set tcp-portrange 7000-7010
    next
    edit "WAIS"
        set tcp-portrange 210
    next
    edit "WINFRAME"
        set tcp-portrange 1494 2598
    next
    edit "X-WINDOWS"
        set tcp-portrange 6000-6063
    next
    edit "PING6"
        set protocol ICMP6
        set icmptype 128
    next
    edit "MS-SQL"
        set tcp-portrange 1433 1434
    next
    edit "MYSQL"
        set tcp-portrange 3306
    next
    edit "RDP"
        set tcp-portrange 3389
    next
    edit "VNC"
        set tcp-portrange 5900
    next
    edit "DHCP6"
        set udp-portrange 546 547
    next
    edit "SQUID"
        set tcp-portrange 3128
    next
    edit "SOCKS"
        set tcp-portrange 1080
        set udp-portrange 1080
    next
    edit "WINS"
        set tcp-portrange 1512
        set udp-portrange 1512
    next
    edit "RADIUS"
        set udp-portrange 1812 1813
    next
    edit "RADIUS-OLD"
        set udp-portrange 1645 1646
    next
    edit "CVSPSERVER"
        set tcp-portrange 2401
        set udp-portrange 2401
    next
    edit "AFS3"
        set tcp-portrange 7000-7009
        set udp-portrange 7000-7009
    next
    edit "TRACEROUTE"
        set udp-portrange 33434-33535
    next
    edit "RTSP"
        set tcp-portrange 554 7070 8554
        set udp-portrange 554
    next
    edit "MMS"
        set tcp-portrange 1755
        set udp-portrange 1024-5000
    next
    edit "KERBEROS"
        set tcp-portrange 88 464
        set udp-portrange 88 464
    next
    edit "LDAP_UDP"
        set udp-portrange 389
    next
    edit "SMB"
        set tcp-portrange 445
    next
    edit "NONE"
        set tcp-portrange 0
    next
end
config firewall service group
    edit "Email Access"
        set member "DNS" "IMAP" "IMAPS" "POP3" "POP3S" "SMTP" "SMTPS"
    next
    edit "Web Access"
        set member "DNS" "HTTP" "HTTPS"
    next
    edit "Windows AD"
        set member "DCE-RPC" "DNS" "KERBEROS" "LDAP" "LDAP_UDP" "SAMBA" "SMB"
    next
    edit "Exchange Server"
        set member "DCE-RPC" "DNS" "HTTPS"
    next
end
`;
