#!/usr/bin/env python3
"""bench/gen_import.py KIND JOBS OUT -- a synthetic export of JOBS jobs, in
the shape the tool prints, for `make bench` (bench/import.sh).

  aws-backup   {"BackupJobs": [...]} as aws backup list-backup-jobs prints
               it with CLI v2 (ISO 8601 times), one job per resource and hour
  pgbackrest   [ {stanza with "backup": [...]} ] as pgbackrest info
               --output=json prints it (keys sorted, one line)

Deterministic: the same arguments give the same bytes.
"""
import sys

def aws(n, out):
    out.write('{\n    "BackupJobs": [\n')
    states = ["COMPLETED"] * 17 + ["FAILED", "PARTIAL", "EXPIRED"]
    for i in range(n):
        res = i % 500
        t = 1790000000 + (i // 500) * 3600
        st = states[i % len(states)]
        day, sec = divmod(t, 86400)
        # ISO times without datetime (fast): from civil days
        def iso(x):
            d, s = divmod(x, 86400)
            z = d + 719468
            era = z // 146097
            doe = z - era * 146097
            yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
            y = yoe + era * 400
            doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
            mp = (5 * doy + 2) // 153
            dd = doy - (153 * mp + 2) // 5 + 1
            mm = mp + 3 if mp < 10 else mp - 9
            y += mm <= 2
            return "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (
                y, mm, dd, s // 3600, s // 60 % 60, s % 60, (x * 7919) % 1000000)
        sep = ",\n" if i + 1 < n else "\n"
        out.write(
            '        {\n'
            '            "AccountId": "111122223333",\n'
            '            "BackupJobId": "%08x-5678-90ab-cdef-%012x",\n'
            '            "BackupVaultName": "prod-vault",\n'
            '            "BackupVaultArn": "arn:aws:backup:eu-west-1:111122223333:backup-vault:prod-vault",\n'
            '            "RecoveryPointArn": "arn:aws:backup:eu-west-1:111122223333:recovery-point:%012x",\n'
            '            "ResourceArn": "arn:aws:rds:eu-west-1:111122223333:db:db-%03d",\n'
            '            "CreationDate": "%s",\n'
            '            "CompletionDate": "%s",\n'
            '            "State": "%s",\n'
            '            "PercentDone": "100.0",\n'
            '            "BackupSizeInBytes": %d,\n'
            '            "IamRoleArn": "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole",\n'
            '            "StartBy": "%s",\n'
            '            "ResourceType": "EFS",\n'
            '            "IsEncrypted": true\n'
            '        }%s' % (i, i, i, res, iso(t), iso(t + 600 + i % 900), st,
                             (i * 104729) % 10**11, iso(t + 3600), sep))
    out.write('    ]\n}\n')

def pgbackrest(n, out):
    out.write('[{"archive":[{"database":{"id":1,"repo-key":1},"id":"16-1","max":"000000010000000000000FFF","min":"000000010000000000000003"}],"backup":[')
    for i in range(n):
        t = 1790000000 + i * 600
        typ = "full" if i % 7 == 0 else ("diff" if i % 7 == 3 else "incr")
        lab = "%08dF" % (i - i % 7) if typ == "full" else "%08dF_%08d%s" % (i - i % 7, i, typ[0].upper())
        prior = "null" if typ == "full" else '"%08dF"' % (i - i % 7)
        out.write('%s{"archive":{"start":"%024X","stop":"%024X"},"backrest":{"format":5,"version":"2.54.0"},'
                  '"database":{"id":1,"repo-key":%d},"error":%s,"info":{"delta":%d,"repository":{"delta":%d,"size":%d},"size":%d},'
                  '"label":"%s","lsn":{"start":"0/%X","stop":"0/%X"},"prior":%s,"reference":%s,'
                  '"timestamp":{"start":%d,"stop":%d},"type":"%s"}' % (
                      "," if i else "", i, i, 1 + i % 2, "true" if i % 97 == 0 else "false",
                      (i * 7919) % 10**9, (i * 104729) % 10**8, (i * 15485863) % 10**10, (i * 32452843) % 10**10,
                      lab, i * 4096, i * 4096 + 256, prior, "null" if typ == "full" else "[" + prior + "]",
                      t, t + 60 + i % 300, typ))
    out.write('],"cipher":"none","db":[{"id":1,"repo-key":1,"system-id":7322494622595299123,"version":"16"}],'
              '"name":"bench","repo":[{"cipher":"none","key":1,"status":{"code":0,"message":"ok"}},'
              '{"cipher":"aes-256-cbc","key":2,"status":{"code":0,"message":"ok"}}],'
              '"status":{"code":0,"lock":{"backup":{"held":false}},"message":"ok"}}]\n')

def main():
    kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "w", buffering=1 << 20) as out:
        {"aws-backup": aws, "pgbackrest": pgbackrest}[kind](n, out)

main()
