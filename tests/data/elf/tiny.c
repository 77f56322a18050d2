// tiny.elf, the smallest executable with a symbol table the ELF reader's tests
// damage field by field:
//   gcc -Os -nostartfiles -static -nostdlib -Wl,--build-id=none \
//       -Wl,-z,max-page-size=0x1000 -Wl,-z,noseparate-code -Wl,-e,main -o tiny.elf tiny.c
int counter;
int table[4] = {1, 2, 3, 4};
int bump(int x) { return counter += x + table[x & 3]; }
int main(void) { return bump(1); }
